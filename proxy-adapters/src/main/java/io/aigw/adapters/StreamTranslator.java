package io.aigw.adapters;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Turns a provider's streamed response into OpenAI SSE bytes for the client, one upstream read at
 * a time. For an OpenAI-compatible provider this is a tap that forwards retained slices of the
 * input; for a foreign dialect it writes new buffers. Either way the caller writes (and so
 * releases) everything appended to {@code out}, in order.
 */
public interface StreamTranslator extends AutoCloseable {

    /** Does not take ownership of {@code chunk}. */
    void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out);

    /** The provider's stream ended (cleanly or not); emits whatever ends the client's stream. */
    void onEnd(ByteBufAllocator alloc, List<ByteBuf> out);

    /** Bytes of an unfinished event held back; a relay caps this, since a provider may never end one. */
    int heldBytes();

    /** {@link Usage#NONE} until the provider reported usage. */
    Usage usage();

    /** The last finish reason seen, in OpenAI's words, or null. */
    String finishReason();

    /**
     * Status 200 is already on the wire and the stream must end with {@code error}: appends what ends the
     * client's stream with it, in the client's API. By default OpenAI's: a data event holding {@code
     * "error"}, which the OpenAI SDKs raise as an APIError. A translator to another client API (Anthropic's
     * {@code event: error}, the Responses API's {@code error} event) overrides it.
     */
    default void onError(ApiError error, ByteBufAllocator alloc, List<ByteBuf> out) {
        out.add(OpenAiErrorEvent.of(error, alloc));
    }

    /** Releases anything held; idempotent. */
    @Override
    void close();
}
