package io.aigw.adapters.responses;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A native Responses stream is relayed byte for byte; usage and the outcome come from its terminal event. */
class ResponsesStreamTapTest {

    private static byte[] fixture(String name) {
        return Fixtures.resource("stream/" + name + ".responses.sse").getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1, 7})
    void relaysBytesUnchangedAndReadsUsage(int size) {
        for (String name : new String[] {"text_then_two_tools", "text", "length"}) {
            byte[] in = fixture(name);
            for (Bufs.Kind kind : size == 1 ? new Bufs.Kind[] {Bufs.Kind.POOLED_DIRECT} : Bufs.Kind.values()) {
                ResponsesStreamTap tap = new ResponsesStreamTap();
                String out = Fixtures.run(tap, in, size, kind);
                assertEquals(new String(in, StandardCharsets.UTF_8), out, name + ": byte-identical");
                assertEquals("length".equals(name) ? "incomplete" : "completed", tap.status());
            }
        }
        ResponsesStreamTap tools = new ResponsesStreamTap();
        Fixtures.run(tools, fixture("text_then_two_tools"), size, Bufs.Kind.POOLED_HEAP);
        assertEquals(new Usage(50, 25, 75, 32), tools.usage());
        assertEquals("tool_calls", tools.finishReason());

        ResponsesStreamTap text = new ResponsesStreamTap();
        Fixtures.run(text, fixture("text"), size, Bufs.Kind.POOLED_HEAP);
        assertEquals(new Usage(10, 2, 12, 0), text.usage());
        assertEquals("stop", text.finishReason());

        ResponsesStreamTap length = new ResponsesStreamTap();
        Fixtures.run(length, fixture("length"), size, Bufs.Kind.POOLED_HEAP);
        assertEquals("length", length.finishReason());
    }

    /** An upstream error event is terminal: relayed as it is, nothing added. */
    @Test
    void upstreamErrorIsRelayedAlone() {
        byte[] in = fixture("error_mid_stream");
        ResponsesStreamTap tap = new ResponsesStreamTap();
        assertEquals(new String(in, StandardCharsets.UTF_8), Fixtures.run(tap, in, 7, Bufs.Kind.COMPOSITE));
        assertEquals(Usage.NONE, tap.usage());
        assertNull(tap.finishReason());
    }

    /** Cut before a terminal event: an error event numbered after the last upstream one. */
    @Test
    void truncatedStreamEndsWithAnErrorEvent() {
        String full = new String(fixture("text"), StandardCharsets.UTF_8);
        String cut = full.substring(0, full.indexOf("event: response.output_text.done"));
        ResponsesStreamTap tap = new ResponsesStreamTap();
        String out = Fixtures.run(tap, cut.getBytes(StandardCharsets.UTF_8), 7, Bufs.Kind.POOLED_HEAP);
        assertTrue(out.startsWith(cut));
        List<String[]> events = Fixtures.events(out);
        String[] last = events.get(events.size() - 1);
        assertEquals("error", last[0]);
        JsonNode data = Fixtures.tree(last[1]);
        assertEquals(events.size() - 1, data.path("sequence_number").asInt());
        assertEquals("upstream_stream_truncated", data.path("code").asText());
    }

    @Test
    void onErrorContinuesTheUpstreamSequence() {
        ResponsesStreamTap tap = new ResponsesStreamTap();
        String full = new String(fixture("text"), StandardCharsets.UTF_8);
        String head = full.substring(0, full.indexOf("event: response.output_item.added"));
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, head);
        StringBuilder seen = new StringBuilder();
        try (tap) {
            tap.onChunk(in, Fixtures.ALLOC, out);
            tap.onError(ApiError.gatewayTimeout("slow"), Fixtures.ALLOC, out);
            tap.onEnd(Fixtures.ALLOC, out);
        } finally {
            in.release();
            for (ByteBuf b : out) {
                seen.append(Bufs.utf8(b));
                b.release();
            }
        }
        List<String[]> events = Fixtures.events(seen.toString());
        assertEquals(3, events.size(), seen::toString);
        assertEquals(2, Fixtures.tree(events.get(2)[1]).path("sequence_number").asInt());
        assertEquals(
                "upstream_timeout", Fixtures.tree(events.get(2)[1]).path("code").asText());
    }
}
