package io.aigw.adapters.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden fixtures: {@code responses/stream/<case>.openai.sse} must become {@code <case>.responses.sse}. */
class ResponsesStreamTranslatorTest {
    static final String[] CASES = {
        "text", "tool_fragments", "text_then_two_tools", "ollama_whole_calls", "length", "error_mid_stream", "truncated"
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

    static ResponsesStreamTranslator translator() {
        return new ResponsesStreamTranslator(
                ResponsesResponseTranslatorTest.echo(),
                ResponsesResponseTranslatorTest.BASE,
                ResponsesResponseTranslatorTest.CREATED);
    }

    static String translate(String name, int size, Bufs.Kind kind, ResponsesStreamTranslator t) {
        byte[] input = Fixtures.resource("stream/" + name + ".openai.sse").getBytes(StandardCharsets.UTF_8);
        return Fixtures.run(t, input, size, kind);
    }

    @ParameterizedTest(name = "{0} chunk={1}")
    @MethodSource("cases")
    void golden(String name, int size) {
        String expected = Fixtures.resource("stream/" + name + ".responses.sse");
        for (Bufs.Kind kind : size == 1 ? new Bufs.Kind[] {Bufs.Kind.POOLED_HEAP} : Bufs.Kind.values()) {
            String actual = translate(name, size, kind, translator());
            Fixtures.assertEvents(expected, actual);
            assertFalse(actual.contains("[DONE]"), "a Responses stream has no [DONE]");
            assertStable(actual);
        }
    }

    /**
     * One id per item across all its events, output_index growing with new items, every item added
     * before it is used and done before the response ends, sequence_number contiguous from 0, and
     * response.completed carrying exactly the items that were done.
     */
    static void assertStable(String sse) {
        List<String[]> events = Fixtures.events(sse);
        Map<String, Integer> indexOf = new HashMap<>();
        Map<String, JsonNode> done = new HashMap<>();
        int nextIndex = 0;
        for (int i = 0; i < events.size(); i++) {
            String name = events.get(i)[0];
            JsonNode data = Fixtures.tree(events.get(i)[1]);
            assertEquals(name, data.path("type").asText(), "event line matches type");
            assertEquals(i, data.path("sequence_number").asInt(-1), "sequence_number contiguous: " + name);
            if (name.equals("response.output_item.added")) {
                String id = data.path("item").path("id").asText();
                assertFalse(indexOf.containsKey(id), "an item is added once: " + id);
                assertEquals(nextIndex++, data.path("output_index").asInt(), "output_index grows");
                indexOf.put(id, data.path("output_index").asInt());
            } else if (data.has("item_id")) {
                String id = data.path("item_id").asText();
                assertTrue(indexOf.containsKey(id), "item used before added: " + id);
                assertFalse(done.containsKey(id), "item used after done: " + id);
                assertEquals(indexOf.get(id), data.path("output_index").asInt(), "same output_index: " + id);
            } else if (name.equals("response.output_item.done")) {
                String id = data.path("item").path("id").asText();
                assertEquals(indexOf.get(id), data.path("output_index").asInt(), "done names its index");
                done.put(id, data.path("item"));
            } else if (name.equals("response.completed") || name.equals("response.incomplete")) {
                assertEquals(indexOf.size(), done.size(), "every item done before the end");
                JsonNode output = data.path("response").path("output");
                assertEquals(done.size(), output.size());
                for (JsonNode item : output) {
                    assertEquals(done.get(item.path("id").asText()), item, "final item = its done event");
                }
                assertTrue(data.path("response").path("usage").isObject(), "usage at the end");
                assertEquals(events.size() - 1, i, "nothing after the end");
            }
        }
    }

    @Test
    void usageAndFinishReasonForAccounting() {
        ResponsesStreamTranslator t = translator();
        translate("text_then_two_tools", 7, Bufs.Kind.COMPOSITE, t);
        assertEquals(new Usage(50, 25, 75, 32), t.usage());
        assertEquals("tool_calls", t.finishReason());

        ResponsesStreamTranslator cut = translator();
        translate("truncated", 0, Bufs.Kind.POOLED_HEAP, cut);
        assertEquals(Usage.NONE, cut.usage());
        assertNull(cut.finishReason());
    }

    /** After a 200, the relay ends a failed stream through onError: numbered after the last event, once. */
    @Test
    void onErrorContinuesTheSequence() {
        ResponsesStreamTranslator t = translator();
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = Bufs.of(
                Bufs.Kind.POOLED_HEAP, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n");
        StringBuilder seen = new StringBuilder();
        try (t) {
            t.onChunk(in, Fixtures.ALLOC, out);
            assertEquals(5, t.sequence(), "created, in_progress, item added, part added, delta");
            t.onError(ApiError.gatewayTimeout("The upstream stopped sending."), Fixtures.ALLOC, out);
            t.onError(ApiError.gatewayTimeout("twice"), Fixtures.ALLOC, out);
            t.onEnd(Fixtures.ALLOC, out);
        } finally {
            in.release();
            for (ByteBuf b : out) {
                seen.append(Bufs.utf8(b));
                b.release();
            }
        }
        List<String[]> events = Fixtures.events(seen.toString());
        assertEquals(6, events.size(), seen::toString);
        assertEquals("error", events.get(5)[0]);
        JsonNode error = Fixtures.tree(events.get(5)[1]);
        assertEquals(5, error.path("sequence_number").asInt());
        assertEquals("upstream_timeout", error.path("code").asText());
        assertTrue(error.has("param") && error.get("param").isNull());
        assertEquals("The upstream stopped sending.", error.path("message").asText());
    }
}
