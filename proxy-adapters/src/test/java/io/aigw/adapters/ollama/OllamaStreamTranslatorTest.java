package io.aigw.adapters.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Golden fixtures: {@code ollama/stream/<case>.ollama.ndjson} → {@code <case>.openai.sse}, in any chunking. */
class OllamaStreamTranslatorTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final String ID = "chatcmpl-stream";
    private static final long CREATED = 1_700_000_000L;

    /** name, includeUsage. */
    private static final Object[][] CASES = {
        {"text", false},
        {"text_usage", true},
        {"tool_calls_usage", true},
        {"length_crlf_unterminated", false},
        {"error_mid_stream", true},
        {"truncated", false},
        {"invalid_line", false},
    };

    /** 0 = whole input in one chunk; otherwise the chunk size (1 splits every UTF-8 sequence). */
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

    static String run(OllamaStreamTranslator t, byte[] input, int size, Bufs.Kind kind) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        List<ByteBuf> out = new ArrayList<>();
        try (t) {
            int step = size == 0 ? Math.max(1, input.length) : size;
            for (int from = 0; from < input.length; from += step) {
                ByteBuf chunk = Bufs.of(kind, Arrays.copyOfRange(input, from, Math.min(input.length, from + step)));
                try {
                    t.onChunk(chunk, ALLOC, out);
                    assertEquals(1, chunk.refCnt(), "partial lines are copied, never retained");
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

    @ParameterizedTest(name = "{0} chunk={2}")
    @MethodSource("cases")
    void golden(String name, boolean includeUsage, int size) {
        byte[] input = Fixtures.resource("stream/" + name + ".ollama.ndjson").getBytes(StandardCharsets.UTF_8);
        String expected = Fixtures.resource("stream/" + name + ".openai.sse");
        for (Bufs.Kind kind : size == 1 ? new Bufs.Kind[] {Bufs.Kind.POOLED_HEAP} : Bufs.Kind.values()) {
            OllamaStreamTranslator t = new OllamaStreamTranslator(ID, CREATED, includeUsage, Fixtures.ids());
            String actual = run(t, input, size, kind);
            Fixtures.assertSse(expected, actual);
            boolean endsWithDone = expected.endsWith("data: [DONE]\n\n");
            assertEquals(endsWithDone, t.completed());
        }
    }

    @Test
    void usageAndFinishReasonForAccounting() {
        OllamaStreamTranslator t = new OllamaStreamTranslator(ID, CREATED, false);
        String out = run(
                t,
                Fixtures.resource("stream/text.ollama.ndjson").getBytes(StandardCharsets.UTF_8),
                0,
                Bufs.Kind.POOLED_DIRECT);
        assertEquals(new Usage(10, 2, 12, 0), t.usage());
        assertEquals("stop", t.finishReason());
        assertFalse(out.contains("\"usage\""), "no usage anywhere without include_usage");

        OllamaStreamTranslator tools = new OllamaStreamTranslator(ID, CREATED, true);
        String toolOut = run(
                tools,
                Fixtures.resource("stream/tool_calls_usage.ollama.ndjson").getBytes(StandardCharsets.UTF_8),
                7,
                Bufs.Kind.COMPOSITE);
        assertEquals(new Usage(50, 20, 70, 0), tools.usage());
        assertEquals("tool_calls", tools.finishReason());
        assertTrue(toolOut.matches("(?s).*\"id\":\"call_[A-Za-z0-9]{24}\".*"), "generated ids: " + toolOut);

        OllamaStreamTranslator cut = new OllamaStreamTranslator(ID, CREATED, false);
        run(
                cut,
                Fixtures.resource("stream/truncated.ollama.ndjson").getBytes(StandardCharsets.UTF_8),
                0,
                Bufs.Kind.POOLED_HEAP);
        assertEquals(Usage.NONE, cut.usage());
        assertEquals(null, cut.finishReason());
    }

    @Test
    void nothingAtAllIsATruncation() {
        OllamaStreamTranslator t = new OllamaStreamTranslator(ID, CREATED, true);
        String out = run(t, new byte[0], 0, Bufs.Kind.POOLED_HEAP);
        Fixtures.assertSse(
                "data: {\"error\":{\"message\":\"The upstream stream ended before "
                        + "the response was complete.\",\"type\":\"api_error\",\"param\":null,\"code\":\"upstream_stream_truncated\"}}\n\n",
                out);
    }

    @Test
    void partialLinesAreHeldAndCountedThenDroppedOnClose() {
        ByteBuf c = Bufs.of(Bufs.Kind.POOLED_DIRECT, "{\"model\":\"m\",\"message\":{\"content\":\"ab");
        List<ByteBuf> out = new ArrayList<>();
        OllamaStreamTranslator t = new OllamaStreamTranslator(ID, CREATED, false);
        t.onChunk(c, ALLOC, out);
        assertTrue(out.isEmpty());
        assertEquals(c.readableBytes(), t.heldBytes());
        t.close();
        t.close();
        assertEquals(0, t.heldBytes());
        c.release();
    }

    @Test
    void outputBuffersArePooled() {
        ByteBuf c = Bufs.of(Bufs.Kind.POOLED_DIRECT, Fixtures.resource("stream/text.ollama.ndjson"));
        List<ByteBuf> out = new ArrayList<>();
        try (OllamaStreamTranslator t = new OllamaStreamTranslator(ID, CREATED, false)) {
            t.onChunk(c, ALLOC, out);
            assertEquals(5, out.size());
            for (ByteBuf b : out) {
                assertTrue(b.alloc() == ALLOC, "pooled: " + b);
            }
        } finally {
            Bufs.releaseAll(out);
            c.release();
        }
    }
}
