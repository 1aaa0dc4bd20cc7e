package io.aigw.adapters.gemini;

import com.fasterxml.jackson.core.JsonParser;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.Locale;

/**
 * Gemini errors ({@code {"error":{"code","message","status"}}}, or that object inside an array from
 * a stream without {@code alt=sse}; PROTOCOLS 7) → the OpenAI error a client sees. The type follows
 * the HTTP status, the code is Gemini's status lower-cased ({@code resource_exhausted}), and the
 * message passes through; a body that is not Gemini's shape (a proxy's HTML page) is never echoed.
 */
public final class GeminiErrorTranslator {

    private GeminiErrorTranslator() {}

    /** Upstream error status + body (may be non-JSON; not released) → the client's error. */
    public static ApiError translate(int status, ByteBuf body) {
        GeminiAnswer a = new GeminiAnswer();
        boolean read;
        try (JsonParser p = GeminiJson.parser(body)) {
            read = a.read(p);
        } catch (IOException e) {
            read = false;
        }
        if (!read || !a.error) {
            int s = clientStatus(status);
            return new ApiError(
                    s,
                    s < 500 ? ApiError.INVALID_REQUEST : ApiError.API_ERROR,
                    "upstream_error",
                    null,
                    "The upstream provider returned HTTP " + status + " with an unreadable error body.");
        }
        return of(status, a);
    }

    /** An error object read from a body or a stream event; the object's own code wins over a 200. */
    static ApiError of(int status, GeminiAnswer a) {
        int s = clientStatus(status >= 400 ? status : a.errorCode);
        String message = a.errorMessage == null || a.errorMessage.isEmpty()
                ? "The upstream provider returned HTTP " + s + "."
                : a.errorMessage;
        String code = a.errorStatus == null ? null : a.errorStatus.toLowerCase(Locale.ROOT);
        String type = switch (s) {
            case 401 -> ApiError.INVALID_REQUEST;
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> s < 500 ? ApiError.INVALID_REQUEST : ApiError.API_ERROR;
        };
        return new ApiError(s, type, code, null, message);
    }

    /** Any 4xx/5xx kept; anything else (an error inside a 200 stream) → 502. */
    private static int clientStatus(int status) {
        return status >= 400 && status < 600 ? status : 502;
    }
}
