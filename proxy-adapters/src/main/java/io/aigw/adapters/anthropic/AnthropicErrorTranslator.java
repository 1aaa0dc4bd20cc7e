package io.aigw.adapters.anthropic;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.Locale;

/**
 * Rewrites an Anthropic error ({@code {"type":"error","error":{"type","message"}}}) into the
 * status and OpenAI-shaped error a client sees (PROTOCOLS 4.8). The Anthropic message is passed
 * through; a body that is not JSON is never echoed.
 */
public final class AnthropicErrorTranslator {

    private AnthropicErrorTranslator() {}

    /** Upstream error status + body → the client's status + OpenAI error JSON (body may be non-JSON). */
    public static ApiError translate(int status, ByteBuf body) {
        String type = null;
        String message = null;
        boolean json;
        try (JsonParser p = AnthropicResponseJson.parser(body)) {
            json = p.nextToken() == START_OBJECT;
            if (json) {
                while (p.nextToken() == FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    if ("error".equals(name) && v == START_OBJECT) {
                        while (p.nextToken() == FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken fv = p.nextToken();
                            if ("type".equals(f) && fv == VALUE_STRING) {
                                type = p.getText();
                            } else if ("message".equals(f) && fv == VALUE_STRING) {
                                message = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else if ("error".equals(name) && v == VALUE_STRING) {
                        message = p.getText(); // some proxies in front of providers send {"error":"..."}
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            json = false;
        }
        if (!json) {
            int s = clientStatus(status);
            return new ApiError(
                    s,
                    s < 500 ? ApiError.INVALID_REQUEST : ApiError.API_ERROR,
                    "upstream_error",
                    null,
                    "The upstream provider returned HTTP " + status + " with an unreadable error body.");
        }
        return forType(type, message, status);
    }

    /**
     * The OpenAI-facing error for an Anthropic error type; {@code status} is the upstream status, used
     * for unknown types (and kept for invalid_request_error, which Anthropic uses for any other 4xx).
     * Also used for {@code error} events inside a stream, where the status does not matter.
     */
    static ApiError forType(String type, String message, int status) {
        String msg = message != null
                ? message
                : "The upstream provider returned an error"
                        + (type != null ? " (" + type + ")." : " (HTTP " + status + ").");
        switch (type == null ? "" : type) {
            case "invalid_request_error":
                return new ApiError(
                        status >= 400 && status < 500 ? status : 400, ApiError.INVALID_REQUEST, null, null, msg);
            case "authentication_error":
                return new ApiError(401, "authentication_error", "invalid_api_key", null, msg);
            case "billing_error":
                return new ApiError(402, "insufficient_quota", "insufficient_quota", null, msg);
            case "permission_error":
                return new ApiError(403, "permission_error", null, null, msg);
            case "not_found_error":
                boolean model =
                        message != null && message.toLowerCase(Locale.ROOT).contains("model");
                return new ApiError(
                        404, ApiError.INVALID_REQUEST, model ? "model_not_found" : null, model ? "model" : null, msg);
            case "request_too_large":
                return new ApiError(413, ApiError.INVALID_REQUEST, null, null, msg);
            case "rate_limit_error":
                return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null, msg);
            case "api_error":
                return new ApiError(500, ApiError.API_ERROR, null, null, msg);
            case "timeout_error":
                return new ApiError(504, "timeout", null, null, msg);
            case "overloaded_error":
                return new ApiError(503, "overloaded_error", null, null, msg);
            default:
                int s = clientStatus(status);
                return new ApiError(s, s < 500 ? ApiError.INVALID_REQUEST : ApiError.API_ERROR, null, null, msg);
        }
    }

    /** 529 → 503; any other 4xx/5xx kept; anything else (an "error" with a 2xx/3xx status) → 502. */
    private static int clientStatus(int status) {
        if (status == 529) {
            return 503;
        }
        return status >= 400 && status < 600 ? status : 502;
    }
}
