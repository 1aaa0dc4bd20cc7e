package io.aigw.adapters.messages;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.adapters.openai.ErrorBodies;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Errors for an Anthropic client: {@code {"type":"error","error":{"type","message"},"request_id":null}},
 * the shape Anthropic's SDKs type their exceptions from. A chat provider's error keeps its status
 * and message; its type is the one Anthropic uses for that status (PROTOCOLS 3.6). Inside a stream
 * the same object goes out as {@code event: error}, which is what makes an Anthropic SDK raise.
 */
public final class MessagesErrorTranslator {
    private static final byte[] EVENT_PREFIX = "event: error\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = {'\n', '\n'};

    /** Anthropic's own error types: a chat error already carrying one (a proxy in front of Claude) keeps it. */
    private static final Set<String> TYPES = Set.of(
            "invalid_request_error",
            "authentication_error",
            "billing_error",
            "permission_error",
            "not_found_error",
            "request_too_large",
            "rate_limit_error",
            "api_error",
            "timeout_error",
            "overloaded_error");

    private MessagesErrorTranslator() {}

    /**
     * The Anthropic type of an error: a specific Anthropic type it already has (a rate limit, an
     * overload), else the type for its status ({@link ApiError#anthropicType}); the two generic types
     * say less than the status does.
     */
    static String typeOf(ApiError e) {
        String t = e.type();
        return t != null && TYPES.contains(t) && !"invalid_request_error".equals(t) && !"api_error".equals(t)
                ? t
                : e.anthropicType();
    }

    /** A chat provider's error answer (status, OpenAI-shaped or not) as the Anthropic client's error. */
    public static ApiError fromChat(int status, ByteBuf chatBody, String provider) {
        return ErrorBodies.normalize(status, chatBody, provider);
    }

    /** Whether {@code body} is Anthropic's error, {@code {"type":"error","error":{...}}}; indices untouched. */
    public static boolean isAnthropicError(ByteBuf body) {
        try (JsonParser p = MessagesJson.parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean typeError = false;
            boolean error = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ("type".equals(f) && v == JsonToken.VALUE_STRING) {
                    typeError = "error".equals(p.getText());
                } else if ("error".equals(f) && v == JsonToken.START_OBJECT) {
                    error = true;
                }
                p.skipChildren();
            }
            return typeError && error && p.nextToken() == null;
        } catch (IOException notJson) {
            return false;
        }
    }

    /** The error's Anthropic JSON body in a new buffer from {@code alloc}. */
    public static ByteBuf toBody(ApiError e, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(96 + e.message().length());
        write(e, out);
        return out;
    }

    /** {@code event: error} + the Anthropic error object, in a new buffer. */
    public static ByteBuf toEvent(ApiError e, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(EVENT_PREFIX.length + 96 + e.message().length());
        out.writeBytes(EVENT_PREFIX);
        write(e, out);
        out.writeBytes(EVENT_END);
        return out;
    }

    private static void write(ApiError e, ByteBuf out) {
        boolean ok = false;
        try (JsonGenerator g = MessagesJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeObjectFieldStart("error");
            g.writeStringField("type", typeOf(e));
            g.writeStringField("message", e.message());
            g.writeEndObject();
            g.writeNullField("request_id");
            g.writeEndObject();
            ok = true;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }
}
