package io.aigw.adapters.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden fixtures: {@code gemini/stream/<case>.gemini.sse} → {@code <case>.openai.sse}, in any chunking. */
class GeminiStreamTranslatorTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final String ID = "chatcmpl-stream";
    private static final long CREATED = 1_700_000_000L;

    /** name, includeUsage. */
    private static final Object[][] CASES = {
        {"text", false},
        {"text_usage", true},
        {"tool_calls_usage", true},
        {"max_tokens_unterminated", false},
        {"safety", false},
        {"error_mid_stream", true},
        {"truncated", false},
        {"invalid_event", false},
    };

    /** 0 = whole input in one chunk; otherwise the chunk size (1 splits every UTF-8 sequence and CRLF). */
    private static final int[] CHUNKINGS = {0, 1, 7};

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (Object[] c : CASES) {
            for (int size : CHUNKINGS) {
                args.add(Arguments.of(c[0], c[1], size));
            }
        }
        return args.stream();
    }

    static String run(GeminiStreamTranslator t, byte[] input, int size, Bufs.Kind kind) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        List<ByteBuf> out = new ArrayList<>();
        try (t) {
            int step = size == 0 ? Math.max(1, input.length) : size;
            for (int from = 0; from < input.length; from += step) {
                ByteBuf chunk = Bufs.of(kind, Arrays.copyOfRange(input, from, Math.min(input.length, from + step)));
                try {
                    t.onChunk(chunk, ALLOC, out);
                } finally {
                    chunk.release();
                }
                Bufs.drain(out, seen);
            }
            t.onEnd(ALLOC, out);
            Bufs.drain(out, seen);
        } finally {
            Bufs.releaseAll(out);
        }
        return seen.toString(StandardCharsets.UTF_8);
    }

    private static byte[] input(String name) {
        return Fixtures.resource("stream/" + name + ".gemini.sse").getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} chunk={2}")
    @MethodSource("cases")
    void golden(String name, boolean includeUsage, int size) {
        String expected = Fixtures.resource("stream/" + name + ".openai.sse");
        for (Bufs.Kind kind : size == 1 ? new Bufs.Kind[] {Bufs.Kind.POOLED_HEAP} : Bufs.Kind.values()) {
            GeminiStreamTranslator t =
                    new GeminiStreamTranslator(ID, CREATED, "gemini-test", includeUsage, Fixtures.ids());
            String actual = run(t, input(name), size, kind);
            Fixtures.assertSse(expected, actual);
            assertEquals(expected.endsWith("data: [DONE]\n\n"), t.completed());
        }
    }

    @Test
    void theLogGetsUsageEvenWhenTheClientDidNotAskForIt() {
        GeminiStreamTranslator t = new GeminiStreamTranslator(ID, CREATED, "gemini-test", false);
        String out = run(t, input("tool_calls_usage"), 7, Bufs.Kind.COMPOSITE);
        assertFalse(out.contains("\"usage\""), "no usage anywhere without include_usage");
        assertEquals(new Usage(20, 15, 35, 0), t.usage(), "from the usage-only event after the finish");
        assertEquals("tool_calls", t.finishReason());

        GeminiStreamTranslator thoughts = new GeminiStreamTranslator(ID, CREATED, "gemini-test", false);
        run(thoughts, input("text_usage"), 0, Bufs.Kind.POOLED_DIRECT);
        assertEquals(new Usage(12, 34, 46, 8), thoughts.usage(), "candidates + thoughts, cached");
        assertEquals(30, thoughts.geminiUsage().thoughts());

        GeminiStreamTranslator cut = new GeminiStreamTranslator(ID, CREATED, "gemini-test", false);
        run(cut, input("truncated"), 0, Bufs.Kind.POOLED_HEAP);
        assertEquals(Usage.NONE, cut.usage());
        assertNull(cut.finishReason());
    }

    @Test
    void heldBytesCountAnUnfinishedEvent() {
        GeminiStreamTranslator t = new GeminiStreamTranslator(ID, CREATED, "gemini-test", false);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf chunk = Bufs.of(Bufs.Kind.POOLED_HEAP, "data: {\"candidates\":");
        try (t) {
            t.onChunk(chunk, ALLOC, out);
            assertEquals("data: {\"candidates\":".length(), t.heldBytes());
        } finally {
            chunk.release();
            Bufs.releaseAll(out);
        }
        assertEquals(0, chunk.refCnt(), "the held slice was released by close");
    }
}
