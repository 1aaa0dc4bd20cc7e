package io.aigw.adapters.ollama;

import com.fasterxml.jackson.core.JsonParser;
import io.aigw.core.error.ApiError;
import java.io.IOException;
import java.util.Locale;

/**
 * Ollama errors ({@code {"error":"<message>"}} with a status, PROTOCOLS 6.4) → the OpenAI error a
 * client sees. Ollama has no error types, so the status decides; its message is passed through,
 * while a body that is not JSON (a reverse proxy's HTML page) is never echoed.
 */
public final class OllamaErrorTranslator {

    private OllamaErrorTranslator() {}

    /** Upstream error status + body (may be non-JSON; not released) → the client's error. */
    public static ApiError translate(int status, io.netty.buffer.ByteBuf body) {
        ChatLine line = new ChatLine();
        String message = null;
        try (JsonParser p = OllamaJson.parser(body)) {
            if (line.read(p)) {
                message = line.error;
            }
        } catch (IOException e) {
            message = null;
        }
        if (message == null) {
            int s = clientStatus(status);
            return new ApiError(
                    s,
                    s < 500 ? ApiError.INVALID_REQUEST : ApiError.API_ERROR,
                    "upstream_error",
                    null,
                    "The upstream provider returned HTTP " + status + " with an unreadable error body.");
        }
        return forStatus(status, message);
    }

    /** Maps by status; Ollama's 404 is almost always "model 'x' not found", which clients know as model_not_found. */
    static ApiError forStatus(int status, String message) {
        String msg = message.isEmpty() ? "The upstream provider returned HTTP " + status + "." : message;
        switch (status) {
            case 400:
                return new ApiError(400, ApiError.INVALID_REQUEST, null, null, msg);
            case 401:
                return new ApiError(401, ApiError.INVALID_REQUEST, "invalid_api_key", null, msg);
            case 403:
                return new ApiError(403, "permission_error", null, null, msg);
            case 404:
                boolean model = msg.toLowerCase(Locale.ROOT).contains("model");
                return new ApiError(
                        404, ApiError.INVALID_REQUEST, model ? "model_not_found" : null, model ? "model" : null, msg);
            case 429:
                return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null, msg);
            default:
                int s = clientStatus(status);
                return new ApiError(s, s < 500 ? ApiError.INVALID_REQUEST : ApiError.API_ERROR, null, null, msg);
        }
    }

    /** Any 4xx/5xx kept; an "error" with another status (a 200 stream line) → 502. */
    private static int clientStatus(int status) {
        return status >= 400 && status < 600 ? status : 502;
    }
}
