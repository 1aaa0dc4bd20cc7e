package io.aigw.adapters.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;

/**
 * The 400s the translator raises, and null-tolerant field access. OpenAI treats an explicit JSON
 * {@code null} like an absent field, so every lookup here folds the two together.
 */
final class Invalid {
    static final String INVALID_VALUE = "invalid_value";
    static final String INVALID_TYPE = "invalid_type";
    static final String UNSUPPORTED_VALUE = "unsupported_value";

    private Invalid() {}

    static ApiException value(String param, String message) {
        return new ApiException(ApiError.badRequest(INVALID_VALUE, param, message));
    }

    static ApiException missing(String param) {
        return new ApiException(ApiError.badRequest(
                "missing_required_parameter", param, "Missing required parameter: '" + param + "'."));
    }

    static ApiException type(String param, String message) {
        return new ApiException(ApiError.badRequest(INVALID_TYPE, param, message));
    }

    static ApiException unsupported(String param, String message) {
        return new ApiException(ApiError.badRequest(UNSUPPORTED_VALUE, param, message));
    }

    /** The field's value, or null when it is absent or JSON null. */
    static JsonNode field(JsonNode object, String name) {
        JsonNode v = object.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /** A string field or null; any other type is a 400 naming {@code param} and {@code where}. */
    static String text(JsonNode object, String name, String param, String where) {
        JsonNode v = field(object, name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw type(param, where + "." + name + " must be a string.");
        }
        return v.textValue();
    }
}
