package io.aigw.core.error;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.exchange.ClientApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An error a client sees: in OpenAI's shape {@code {"error":{"message","type","param","code"}}} with
 * explicit nulls, as the spec requires all four keys (the Responses API's errors have it too), or, for an
 * Anthropic client, Anthropic's {@code {"type":"error","error":{"type","message"}}} ({@link
 * #toJsonBytes(ClientApi)}).
 *
 * <p>Messages must never contain a secret (a key, an Authorization value): callers word them from
 * what the proxy decided, never by echoing request headers.
 */
public record ApiError(int status, String type, String code, String param, String message) {

    private static final JsonFactory JSON = new JsonFactory();

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String API_ERROR = "api_error";

    public static ApiError badRequest(String code, String param, String message) {
        return new ApiError(400, INVALID_REQUEST, code, param, message);
    }

    public static ApiError invalidJson(String message) {
        return badRequest("invalid_json", null, message);
    }

    public static ApiError unauthorized() {
        return new ApiError(
                401,
                INVALID_REQUEST,
                "invalid_api_key",
                null,
                "Invalid or missing API key. Send it as 'Authorization: Bearer <key>'"
                        + " (or, on /v1/messages, as 'x-api-key: <key>').");
    }

    /** A path under {@code /admin/} without a valid admin key (a client key is not one). */
    public static ApiError adminKeyRequired() {
        return new ApiError(
                401,
                INVALID_REQUEST,
                "invalid_api_key",
                null,
                "This path needs an admin key (auth.admin_keys), sent as 'Authorization: Bearer <key>'; "
                        + "client API keys are not accepted here.");
    }

    /** A path under {@code /admin/} while no admin key is configured: the admin API is off. */
    public static ApiError adminNotConfigured() {
        return new ApiError(
                401,
                INVALID_REQUEST,
                "invalid_api_key",
                null,
                "No admin key is configured, so the admin API is off; set auth.admin_keys or PROXY_ADMIN_KEYS.");
    }

    public static ApiError providerNotFound(String provider) {
        return new ApiError(
                404, INVALID_REQUEST, "provider_not_found", null, "The provider '" + provider + "' is not configured.");
    }

    public static ApiError modelNotFound(String model) {
        return new ApiError(
                404,
                INVALID_REQUEST,
                "model_not_found",
                "model",
                "The model '" + model + "' does not exist or you do not have access to it.");
    }

    public static ApiError unknownPath(String method, String path) {
        return new ApiError(
                404, INVALID_REQUEST, "unknown_url", null, "Unknown request URL: " + method + " " + path + ".");
    }

    public static ApiError methodNotAllowed(String method, String path) {
        return new ApiError(
                405,
                INVALID_REQUEST,
                "method_not_allowed",
                null,
                "Method " + method + " is not allowed on " + path + ".");
    }

    public static ApiError bodyTooLarge(long limit) {
        return new ApiError(
                413,
                INVALID_REQUEST,
                "request_too_large",
                null,
                "Request body exceeds the limit of " + limit + " bytes.");
    }

    public static ApiError requestTimeout() {
        return new ApiError(
                408, INVALID_REQUEST, "request_timeout", null, "The request was not received completely in time.");
    }

    public static ApiError badGateway(String code, String message) {
        return new ApiError(502, API_ERROR, code, null, message);
    }

    public static ApiError gatewayTimeout(String message) {
        return new ApiError(504, API_ERROR, "upstream_timeout", null, message);
    }

    public static ApiError unavailable(String code, String message) {
        return new ApiError(503, API_ERROR, code, null, message);
    }

    /** The JSON body in {@code api}'s error shape, UTF-8. */
    public byte[] toJsonBytes(ClientApi api) {
        return api == ClientApi.ANTHROPIC ? toAnthropicJsonBytes() : toJsonBytes();
    }

    /**
     * Anthropic's error type for this error: by status as Anthropic's API types them (its SDKs pick the
     * exception class by status, and show the type).
     */
    public String anthropicType() {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> status < 500 ? "invalid_request_error" : "api_error";
        };
    }

    private byte[] toAnthropicJsonBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeObjectFieldStart("error");
            g.writeStringField("type", anthropicType());
            g.writeStringField("message", message);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The JSON body in OpenAI's shape, UTF-8. */
    public byte[] toJsonBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            g.writeStringField("param", param);
            g.writeStringField("code", code);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
