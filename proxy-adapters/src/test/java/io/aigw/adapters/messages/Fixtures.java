package io.aigw.adapters.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.testing.Bufs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Golden fixtures under {@code src/test/resources/messages/}, and the comparisons they need. */
final class Fixtures {
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    static String resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/messages/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("missing fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertJson(String expected, String actual) {
        assertEquals(tree(expected), tree(actual), () -> "actual: " + actual);
    }

    /**
     * Feeds {@code input} in chunks of {@code size} (0 = one chunk) as buffers of {@code kind},
     * released right after each call, and returns everything the translator emitted.
     */
    static String run(StreamTranslator t, byte[] input, int size, Bufs.Kind kind) {
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

    /**
     * Anthropic SSE, event by event: each event is exactly an {@code event:} line naming the data's
     * {@code type} and one {@code data:} line; the names must match and the payloads as trees.
     */
    static void assertAnthropicSse(String expected, String actual) {
        assertTrue(actual.endsWith("\n\n"), () -> "output must end with a blank line: " + actual);
        List<String> exp = Arrays.asList(expected.split("\n\n"));
        List<String> act = Arrays.asList(actual.split("\n\n"));
        for (int i = 0; i < Math.min(exp.size(), act.size()); i++) {
            String[] e = exp.get(i).split("\n", -1);
            String[] a = act.get(i).split("\n", -1);
            int at = i;
            assertEquals(2, a.length, () -> "event " + at + " must be two lines: " + act.get(at));
            assertEquals(e[0], a[0], "event " + i + " name");
            assertTrue(a[1].startsWith("data: "), "event " + i + ": " + a[1]);
            JsonNode data = tree(a[1].substring(6));
            assertEquals(a[0].substring("event: ".length()), data.path("type").asText(), "event name = data.type");
            assertEquals(tree(e[1].substring(6)), data, "event " + i + ": " + a[1]);
        }
        assertEquals(exp.size(), act.size(), () -> "event count; actual:\n" + actual);
    }
}
