package io.aigw.adapters.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;

/**
 * Makes a provider's error body OpenAI-shaped. OpenAI-compatible hosts mostly send the right shape,
 * but not all of it: Azure, for one, sends {@code {"error":{"code":"429","message":...}}} without
 * {@code type} or {@code param}, which strict clients need. Errors are rare, so a tree is fine here.
 */
public final class ErrorBodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorBodies() {}

    /**
     * The client's error for an upstream error status and body: the provider's message, type, param
     * and code where it gave them (a numeric code becomes a string), defaults where it did not, and a
     * generic message when the body is not an error object at all. Never echoes a non-JSON body.
     */
    public static ApiError normalize(int status, ByteBuf body, String provider) {
        String defaultType = status >= 500 ? ApiError.API_ERROR : ApiError.INVALID_REQUEST;
        JsonNode error = null;
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
            JsonNode root = JSON.readTree((java.io.InputStream) in);
            error = root == null ? null : root.get("error");
        } catch (IOException | RuntimeException notJson) {
            // falls through to the generic error
        }
        if (error == null || !error.isObject()) {
            return new ApiError(
                    status,
                    defaultType,
                    "upstream_error",
                    null,
                    "Provider '" + provider + "' answered HTTP " + status + ".");
        }
        ObjectNode e = (ObjectNode) error;
        return new ApiError(
                status,
                text(e, "type", defaultType),
                text(e, "code", null),
                text(e, "param", null),
                text(e, "message", "Provider '" + provider + "' answered HTTP " + status + "."));
    }

    /** True when the body already has all four keys of OpenAI's error, so it can go out as it is. */
    public static boolean isComplete(ByteBuf body) {
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
            JsonNode root = JSON.readTree((java.io.InputStream) in);
            JsonNode e = root == null ? null : root.get("error");
            return e != null && e.isObject() && e.has("message") && e.has("type") && e.has("param") && e.has("code");
        } catch (IOException | RuntimeException notJson) {
            return false;
        }
    }

    private static String text(ObjectNode e, String field, String fallback) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() ? fallback : v.isValueNode() ? v.asText() : v.toString();
    }
}
