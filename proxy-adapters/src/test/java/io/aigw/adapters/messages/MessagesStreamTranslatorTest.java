package io.aigw.adapters.messages;

import static io.aigw.adapters.messages.Fixtures.ALLOC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessagesStreamTranslatorTest {
    private static final String[] CASES = {
        "text_usage",
        "tool_fragments",
        "two_parallel_tools",
        "ollama_whole_calls",
        "length",
        "content_filter_no_done",
        "reasoning_then_text",
        "error_mid_stream",
        "truncated",
        "text_then_tool_crlf"
    };

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (String c : CASES) {
            for (int size : new int[] {0, 1, 7}) {
                args.add(Arguments.of(c, size));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} chunk={1}")
    @MethodSource("cases")
    void golden(String name, int size) {
        byte[] input = Fixtures.resource("stream/" + name + ".openai.sse").getBytes(StandardCharsets.UTF_8);
        for (Bufs.Kind kind : size == 1 ? new Bufs.Kind[] {Bufs.Kind.POOLED_HEAP} : Bufs.Kind.values()) {
            String actual = Fixtures.run(new MessagesStreamTranslator(), input, size, kind);
            Fixtures.assertAnthropicSse(Fixtures.resource("stream/" + name + ".anthropic.sse"), actual);
            assertBlocksWellFormed(actual);
        }
    }

    /**
     * What the SDKs' accumulators rely on: message_start first, block indexes 0,1,2... each opened
     * once, deltas only inside an open block, every block stopped before the next opens, and
     * message_stop last (or an error event and nothing after it).
     */
    static void assertBlocksWellFormed(String sse) {
        String[] events = sse.split("\n\n");
        int next = 0;
        int open = -1;
        for (int i = 0; i < events.length; i++) {
            JsonNode data = Fixtures.tree(events[i].substring(events[i].indexOf("data: ") + 6));
            String type = data.path("type").asText();
            if (i == 0) {
                assertTrue(type.equals("message_start") || type.equals("error"), "first: " + type);
            }
            switch (type) {
                case "content_block_start":
                    assertEquals(-1, open, "a block is still open at event " + i);
                    assertEquals(next, data.path("index").asInt(), "contiguous indexes");
                    open = next++;
                    break;
                case "content_block_delta":
                    assertEquals(open, data.path("index").asInt(), "delta outside its block at event " + i);
                    break;
                case "content_block_stop":
                    assertEquals(open, data.path("index").asInt());
                    open = -1;
                    break;
                case "message_delta":
                    assertEquals(-1, open);
                    break;
                case "message_stop":
                case "error":
                    assertEquals(events.length - 1, i, type + " is the last event");
                    break;
                default:
                    break;
            }
        }
    }

    @Test
    void usageAndFinishReasonForTheLog() {
        MessagesStreamTranslator t = new MessagesStreamTranslator();
        Fixtures.run(
                t,
                Fixtures.resource("stream/text_usage.openai.sse").getBytes(StandardCharsets.UTF_8),
                7,
                Bufs.Kind.COMPOSITE);
        assertEquals(new Usage(2057, 5, 2062, 2048), t.usage());
        assertEquals("stop", t.finishReason());

        MessagesStreamTranslator cut = new MessagesStreamTranslator();
        Fixtures.run(
                cut,
                Fixtures.resource("stream/truncated.openai.sse").getBytes(StandardCharsets.UTF_8),
                0,
                Bufs.Kind.POOLED_DIRECT);
        assertEquals(Usage.NONE, cut.usage());
        assertNull(cut.finishReason());
    }

    @Test
    void relayCutEndsWithOneAnthropicErrorEvent() {
        MessagesStreamTranslator t = new MessagesStreamTranslator();
        List<ByteBuf> out = new ArrayList<>();
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        ByteBuf first = Bufs.of(
                Bufs.Kind.POOLED_HEAP,
                "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"id");
        try (t) {
            t.onChunk(first, ALLOC, out);
            assertTrue(t.heldBytes() > 0);
            t.onError(ApiError.gatewayTimeout("The upstream stopped sending."), ALLOC, out);
            t.onError(ApiError.gatewayTimeout("again"), ALLOC, out);
            Bufs.drain(out, seen);
        } finally {
            first.release();
            Bufs.releaseAll(out);
        }
        String sse = seen.toString(StandardCharsets.UTF_8);
        assertTrue(
                sse.endsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\","
                        + "\"message\":\"The upstream stopped sending.\"},\"request_id\":null}\n\n"),
                sse);
        assertEquals(1, sse.split("event: error").length - 1, "one error event");
    }
}
