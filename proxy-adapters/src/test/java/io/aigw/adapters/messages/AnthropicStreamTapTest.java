package io.aigw.adapters.messages;

import static io.aigw.adapters.messages.Fixtures.ALLOC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicStreamTapTest {

    /** Real Anthropic streams (the reverse translator's inputs): relayed byte for byte. */
    private static final String[] STREAMS = {
        "text_usage", "two_tools_after_text", "tool_empty_input", "ping_ignored", "thinking_and_unknown", "json_schema"
    };

    private static byte[] anthropic(String name) {
        try (var in =
                AnthropicStreamTapTest.class.getResourceAsStream("/anthropic/stream/" + name + ".anthropic.sse")) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1, 7})
    void relaysEveryStreamByteForByte(int size) {
        for (String name : STREAMS) {
            byte[] input = anthropic(name);
            for (Bufs.Kind kind : size == 1 ? new Bufs.Kind[] {Bufs.Kind.POOLED_HEAP} : Bufs.Kind.values()) {
                AnthropicStreamTap tap = new AnthropicStreamTap();
                String out = Fixtures.run(tap, input, size, kind);
                assertEquals(new String(input, StandardCharsets.UTF_8), out, name);
                assertTrue(tap.completed(), name);
            }
        }
    }

    @Test
    void readsUsageAndStopReason() {
        AnthropicStreamTap tap = new AnthropicStreamTap();
        Fixtures.run(tap, anthropic("text_usage"), 7, Bufs.Kind.COMPOSITE);
        assertEquals(new Usage(2257, 393, 2650, 2048), tap.usage());
        assertEquals("stop", tap.finishReason());

        AnthropicStreamTap tools = new AnthropicStreamTap();
        Fixtures.run(tools, anthropic("two_tools_after_text"), 1, Bufs.Kind.POOLED_HEAP);
        assertEquals(new Usage(300, 90, 390, 0), tools.usage());
        assertEquals("tool_calls", tools.finishReason());
    }

    @Test
    void truncatedStreamGetsAnErrorEventAfterTheRelayedBytes() {
        byte[] input = anthropic("truncated");
        AnthropicStreamTap tap = new AnthropicStreamTap();
        String out = Fixtures.run(tap, input, 7, Bufs.Kind.POOLED_DIRECT);
        String in = new String(input, StandardCharsets.UTF_8);
        assertTrue(out.startsWith(in), "upstream bytes first, unchanged");
        assertTrue(
                out.substring(in.length())
                        .contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\""),
                out);
        assertFalse(tap.completed());
    }

    @Test
    void upstreamErrorEventIsRelayedAndNotDoubled() {
        byte[] input = anthropic("error_mid_stream");
        AnthropicStreamTap tap = new AnthropicStreamTap();
        String out = Fixtures.run(tap, input, 0, Bufs.Kind.POOLED_HEAP);
        assertEquals(new String(input, StandardCharsets.UTF_8), out);
    }

    @Test
    void relayCutAddsOneErrorEvent() {
        AnthropicStreamTap tap = new AnthropicStreamTap();
        List<ByteBuf> out = new ArrayList<>();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        ByteBuf chunk = Bufs.of(Bufs.Kind.POOLED_HEAP, "event: ping\ndata: {\"type\":\"ping\"}\n\nevent: mess");
        try (tap) {
            tap.onChunk(chunk, ALLOC, out);
            assertTrue(tap.heldBytes() > 0, "the partial event is held");
            tap.onError(ApiError.unavailable("x", "Overloaded."), ALLOC, out);
            tap.onError(ApiError.unavailable("x", "Overloaded."), ALLOC, out);
            Bufs.drain(out, seen);
        } finally {
            chunk.release();
            Bufs.releaseAll(out);
        }
        assertEquals(
                "event: ping\ndata: {\"type\":\"ping\"}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":"
                        + "{\"type\":\"overloaded_error\",\"message\":\"Overloaded.\"},\"request_id\":null}\n\n",
                seen.toString(StandardCharsets.UTF_8));
    }
}
