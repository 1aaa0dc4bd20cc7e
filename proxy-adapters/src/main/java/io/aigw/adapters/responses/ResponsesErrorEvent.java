package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What ends a Responses stream that failed after its 200 went out: {@code event: error} with a
 * ResponseErrorEvent ({@code type, code, message, param, sequence_number}, all required). The SDKs
 * raise on it; a chat-style {@code data: {"error":...}} would not be recognised.
 */
public final class ResponsesErrorEvent {
    private static final byte[] HEAD = "event: error\ndata: ".getBytes(StandardCharsets.US_ASCII);

    private ResponsesErrorEvent() {}

    /** A new buffer the caller owns. */
    public static ByteBuf of(ApiError error, long sequenceNumber, ByteBufAllocator alloc) {
        return of(
                error.code() != null ? error.code() : error.type(),
                error.message(),
                error.param(),
                sequenceNumber,
                alloc);
    }

    static ByteBuf of(String code, String message, String param, long sequenceNumber, ByteBufAllocator alloc) {
        ByteBuf b = alloc.buffer(HEAD.length + 96 + (message == null ? 0 : message.length()));
        boolean ok = false;
        try {
            b.writeBytes(HEAD);
            try (JsonGenerator g = ResponsesJson.generator(b)) {
                g.writeStartObject();
                g.writeStringField("type", "error");
                g.writeNumberField("sequence_number", sequenceNumber);
                g.writeStringField("code", code);
                g.writeStringField("message", message != null ? message : "The upstream stream failed.");
                g.writeStringField("param", param);
                g.writeEndObject();
            }
            b.writeByte('\n').writeByte('\n');
            ok = true;
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory; not expected
        } finally {
            if (!ok) {
                b.release();
            }
        }
    }
}
