package io.aigw.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ChainedStreamTranslatorTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Upper-cases (a new buffer per chunk), or fails on demand; counts what it was given. */
    private static final class Upper implements StreamTranslator {
        final String tag;
        boolean fail;
        boolean closed;

        Upper(String tag) {
            this.tag = tag;
        }

        @Override
        public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
            if (fail) {
                throw new IllegalStateException("broken");
            }
            String s = chunk.toString(StandardCharsets.UTF_8);
            out.add(alloc.buffer().writeBytes((tag + s.toUpperCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
            out.add(alloc.buffer().writeBytes((tag + "end;").getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public int heldBytes() {
            return 1;
        }

        @Override
        public Usage usage() {
            return new Usage(tag.length(), 0, 0, 0);
        }

        @Override
        public String finishReason() {
            return tag;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static String drain(List<ByteBuf> out) {
        StringBuilder b = new StringBuilder();
        for (ByteBuf x : out) {
            b.append(x.toString(StandardCharsets.UTF_8));
            x.release();
        }
        out.clear();
        return b.toString();
    }

    @Test
    void theSecondReadsWhatTheFirstWroteAndEndsTheStream() {
        Upper first = new Upper("1:");
        Upper second = new Upper("2:");
        ChainedStreamTranslator t = new ChainedStreamTranslator(first, second);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = ALLOC.buffer().writeBytes("ab;".getBytes(StandardCharsets.UTF_8));
        t.onChunk(in, ALLOC, out);
        in.release();
        assertEquals("2:1:AB;", drain(out));
        t.onEnd(ALLOC, out);
        assertEquals("2:1:END;2:end;", drain(out));
        assertEquals("1:", t.finishReason(), "the provider's facts are the first's");
        assertEquals(2, t.usage().promptTokens());
        assertEquals(2, t.heldBytes());
        t.onError(ApiError.badGateway("x", "gone"), ALLOC, out);
        assertEquals(1, out.size(), "the error is the second's (the client's API)");
        drain(out);
        t.close();
        assertEquals(true, first.closed && second.closed);
    }

    @Test
    void whatTheSecondCouldNotReadIsReleased() {
        Upper first = new Upper("1:");
        Upper second = new Upper("2:");
        second.fail = true;
        ChainedStreamTranslator t = new ChainedStreamTranslator(first, second);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = ALLOC.buffer().writeBytes("ab".getBytes(StandardCharsets.UTF_8));
        assertThrows(IllegalStateException.class, () -> t.onChunk(in, ALLOC, out));
        in.release();
        assertEquals(0, out.size());
        t.close(); // paranoid leak detection fails the build if the first's buffer leaked
    }
}
