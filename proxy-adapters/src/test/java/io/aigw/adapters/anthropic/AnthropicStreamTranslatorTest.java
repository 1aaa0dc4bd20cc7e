package io.aigw.adapters.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class AnthropicStreamTranslatorTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final String ID = "chatcmpl-stream";
    private static final long CREATED = 1_700_000_000L;

    /** name, includeUsage, jsonSchemaTool. */
    private static final Object[][] CASES = {
        {"text", false, false},
        {"text_usage", true, false},
        {"two_tools_after_text", true, false},
        {"tool_empty_input", false, false},
        {"ping_ignored", false, false},
        {"error_mid_stream", true, false},
        {"truncated", false, false},
        {"json_schema", true, true},
        {"thinking_and_unknown", false, false},
    };

    /** 0 = whole input in one chunk; otherwise the chunk size. */
    private static final int[] CHUNKINGS = {0, 1, 7};

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (Object[] c : CASES) {
            for (int size : CHUNKINGS) {
                args.add(Arguments.of(c[0], c[1], c[2], size));
            }
        }
        return args.stream();
    }

    /** Feeds the bytes in chunks of {@code size} (pooled buffers, released right after onChunk). */
    static String run(AnthropicStreamTranslator t, byte[] input, int size, Bufs.Kind kind) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        List<ByteBuf> out = new ArrayList<>();
        try (t) {
            int step = size == 0 ? Math.max(1, input.length) : size;
            for (int from = 0; from < input.length; from += step) {
                ByteBuf chunk = Bufs.of(kind, Arrays.copyOfRange(input, from, Math.min(input.length, from + step)));
                try {
                    t.onChunk(chunk, ALLOC, out);
                    assertEquals(t.heldBytes() > 0 ? 2 : 1, chunk.refCnt(), "only a held partial event is retained");
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

    /** Event by event: exact framing, [DONE] exact, JSON payloads compared as parsed trees. */
    static void assertSse(String expected, String actual) {
        assertTrue(actual.endsWith("\n\n"), () -> "output must end with a blank line: " + actual);
        List<String> exp = Arrays.asList(expected.split("\n\n"));
        List<String> act = Arrays.asList(actual.split("\n\n"));
        for (int i = 0; i < Math.min(exp.size(), act.size()); i++) {
            String e = exp.get(i);
            String a = act.get(i);
            assertTrue(
                    a.startsWith("data: ") && a.indexOf('\n') < 0 && a.indexOf('\r') < 0,
                    "event " + i + " must be one data line: " + a);
            if (e.equals("data: [DONE]")) {
                assertEquals(e, a, "event " + i);
            } else {
                assertEquals(JsonTree.parse(e.substring(6)), JsonTree.parse(a.substring(6)), "event " + i + ": " + a);
            }
        }
        assertEquals(exp.size(), act.size(), () -> "event count; actual:\n" + actual);
    }

    @ParameterizedTest(name = "{0} chunk={3}")
    @MethodSource("cases")
    void golden(String name, boolean includeUsage, boolean jsonSchemaTool, int size) {
        byte[] input = AnthropicResponseTranslatorTest.resource("stream/" + name + ".anthropic.sse")
                .getBytes(StandardCharsets.UTF_8);
        String expected = AnthropicResponseTranslatorTest.resource("stream/" + name + ".openai.sse");
        for (Bufs.Kind kind : size == 1 ? new Bufs.Kind[] {Bufs.Kind.POOLED_HEAP} : Bufs.Kind.values()) {
            AnthropicStreamTranslator t = new AnthropicStreamTranslator(ID, CREATED, includeUsage, jsonSchemaTool);
            String actual = run(t, input, size, kind);
            assertSse(expected, actual);
            boolean endsWithDone = expected.endsWith("data: [DONE]\n\n");
            assertEquals(endsWithDone, actual.endsWith("data: [DONE]\n\n"));
            assertEquals(endsWithDone, t.completed());
            assertEquals(1, countOf(actual, "\"role\":\"assistant\""), "one role chunk");
        }
    }

    private static int countOf(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void usageAndFinishReasonForAccounting() {
        byte[] input = AnthropicResponseTranslatorTest.resource("stream/text_usage.anthropic.sse")
                .getBytes(StandardCharsets.UTF_8);
        AnthropicStreamTranslator t = new AnthropicStreamTranslator(ID, CREATED, false, false);
        String out = run(t, input, 0, Bufs.Kind.POOLED_DIRECT);
        assertEquals(new Usage(2257, 393, 2650, 2048), t.usage());
        assertEquals("stop", t.finishReason());
        assertFalse(out.contains("\"usage\""), "no usage anywhere without include_usage");

        AnthropicStreamTranslator tools = new AnthropicStreamTranslator(ID, CREATED, true, false);
        run(
                tools,
                AnthropicResponseTranslatorTest.resource("stream/two_tools_after_text.anthropic.sse")
                        .getBytes(StandardCharsets.UTF_8),
                7,
                Bufs.Kind.COMPOSITE);
        assertEquals(new Usage(300, 90, 390, 0), tools.usage());
        assertEquals("tool_calls", tools.finishReason());

        AnthropicStreamTranslator cut = new AnthropicStreamTranslator(ID, CREATED, false, false);
        run(
                cut,
                AnthropicResponseTranslatorTest.resource("stream/truncated.anthropic.sse")
                        .getBytes(StandardCharsets.UTF_8),
                0,
                Bufs.Kind.POOLED_HEAP);
        assertNull(cut.finishReason());
        assertEquals(new Usage(25, 1, 26, 0), cut.usage(), "what message_start reported");
        assertFalse(cut.completed());
    }

    @Test
    void nothingAtAllIsATruncation() {
        AnthropicStreamTranslator t = new AnthropicStreamTranslator(ID, CREATED, true, false);
        String out = run(t, new byte[0], 0, Bufs.Kind.POOLED_HEAP);
        assertSse(
                "data: {\"error\":{\"message\":\"The upstream stream ended before the response was complete.\","
                        + "\"type\":\"api_error\",\"param\":null,\"code\":\"upstream_stream_truncated\"}}\n\n",
                out);
        assertEquals(Usage.NONE, t.usage());
    }

    @Test
    void unterminatedMessageStopAtEndStillCompletes() {
        String s = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\","
                + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\r\n\r\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}";
        AnthropicStreamTranslator t = new AnthropicStreamTranslator(ID, CREATED, false, false);
        String out = run(t, s.getBytes(StandardCharsets.UTF_8), 3, Bufs.Kind.POOLED_HEAP);
        assertTrue(out.endsWith("data: [DONE]\n\n"), out);
        assertEquals(1, countOf(out, "\"finish_reason\":\"stop\""), "a finish chunk even without message_delta");
    }

    @Test
    void unreadableEventEndsTheStreamWithAnError() {
        String s = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        AnthropicStreamTranslator t = new AnthropicStreamTranslator(ID, CREATED, false, false);
        String out = run(t, s.getBytes(StandardCharsets.UTF_8), 0, Bufs.Kind.POOLED_DIRECT);
        assertTrue(out.endsWith("\"code\":\"upstream_invalid_event\"}}\n\n"), out);
        assertFalse(out.contains("[DONE]"));
    }

    @Test
    void closeReleasesHeldBytesAndIsIdempotent() {
        ByteBuf c = Bufs.of(Bufs.Kind.POOLED_HEAP, "event: ping\ndata: {\"type\":");
        List<ByteBuf> out = new ArrayList<>();
        AnthropicStreamTranslator t = new AnthropicStreamTranslator(ID, CREATED, false, false);
        t.onChunk(c, ALLOC, out);
        assertTrue(out.isEmpty());
        assertEquals(2, c.refCnt(), "the partial event is held");
        t.close();
        t.close();
        assertEquals(1, c.refCnt());
        c.release();
    }

    @Test
    void outputBuffersArePooled() {
        ByteBuf c =
                Bufs.of(Bufs.Kind.POOLED_DIRECT, AnthropicResponseTranslatorTest.resource("stream/text.anthropic.sse"));
        List<ByteBuf> out = new ArrayList<>();
        try (AnthropicStreamTranslator t = new AnthropicStreamTranslator(ID, CREATED, false, false)) {
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
