package io.aigw.adapters.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;

/**
 * The 400s the request translator raises, and null-tolerant field access: OpenAI treats an explicit
 * JSON {@code null} like an absent field, so every lookup folds the two together.
 */
final class Bad {
    private Bad() {}

    static ApiException missing(String param) {
        return new ApiException(ApiError.badRequest(
                "missing_required_parameter", param, "Missing required parameter: '" + param + "'."));
    }

    static ApiException type(String param, String message) {
        return new ApiException(ApiError.badRequest("invalid_type", param, message));
    }

    static ApiException value(String param, String message) {
        return new ApiException(ApiError.badRequest("invalid_value", param, message));
    }

    static ApiException unsupported(String param, String message) {
        return new ApiException(ApiError.badRequest("unsupported_value", param, message));
    }

    /** The field's value, or null when it is absent or JSON null. */
    static JsonNode field(JsonNode object, String name) {
        JsonNode v = object.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /** A string field or null; any other type is a 400 naming {@code param}. */
    static String text(JsonNode object, String name, String param) {
        JsonNode v = field(object, name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw type(param, param + " must be a string.");
        }
        return v.textValue();
    }
}
