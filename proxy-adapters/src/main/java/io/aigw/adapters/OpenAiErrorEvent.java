package io.aigw.adapters;

import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** The SSE event that ends an OpenAI stream with an error: {@code data: {"error":{…}}}. */
public final class OpenAiErrorEvent {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private OpenAiErrorEvent() {}

    /** A new buffer, owned by the caller. */
    public static ByteBuf of(ApiError error, ByteBufAllocator alloc) {
        byte[] json = error.toJsonBytes();
        return alloc.buffer(DATA.length + json.length + END_EVENT.length)
                .writeBytes(DATA)
                .writeBytes(json)
                .writeBytes(END_EVENT);
    }
}
