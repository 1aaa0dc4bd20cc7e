package io.aigw.adapters;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Two translators in a row: the provider's stream to OpenAI chat SSE ({@code first}), then chat SSE to the
 * client's stream ({@code second}). Usage and the finish reason are the first's (read from the provider,
 * in OpenAI's words); the end of a stream and its errors are the second's, in the client's API.
 */
public final class ChainedStreamTranslator implements StreamTranslator {
    private final StreamTranslator first;
    private final StreamTranslator second;
    private final List<ByteBuf> between = new ArrayList<>(4);

    public ChainedStreamTranslator(StreamTranslator first, StreamTranslator second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
        first.onChunk(chunk, alloc, between);
        pass(alloc, out);
    }

    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        first.onEnd(alloc, between);
        pass(alloc, out);
        second.onEnd(alloc, out);
    }

    @Override
    public void onError(ApiError error, ByteBufAllocator alloc, List<ByteBuf> out) {
        second.onError(error, alloc, out);
    }

    /** Feeds what the first wrote to the second, releasing each buffer once it is read. */
    private void pass(ByteBufAllocator alloc, List<ByteBuf> out) {
        try {
            for (int i = 0; i < between.size(); i++) {
                ByteBuf b = between.get(i);
                between.set(i, null);
                try {
                    second.onChunk(b, alloc, out);
                } finally {
                    b.release();
                }
            }
        } finally {
            for (ByteBuf b : between) {
                if (b != null) {
                    b.release(); // the second failed: what it did not read is released all the same
                }
            }
            between.clear();
        }
    }

    @Override
    public int heldBytes() {
        return first.heldBytes() + second.heldBytes();
    }

    @Override
    public Usage usage() {
        return first.usage();
    }

    @Override
    public String finishReason() {
        return first.finishReason();
    }

    @Override
    public void close() {
        try {
            first.close();
        } finally {
            second.close();
        }
    }
}
