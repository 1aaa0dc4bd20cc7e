package io.aigw.adapters.responses;

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

/** Golden fixtures under {@code src/test/resources/responses/}, and a stream driver. */
final class Fixtures {
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    static String resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/responses/" + path)) {
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

    /** Feeds the bytes in chunks of {@code size} (0 = all at once), released right after onChunk. */
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

    /** The events of a Responses stream: {event name, data JSON}. */
    static List<String[]> events(String sse) {
        assertTrue(sse.isEmpty() || sse.endsWith("\n\n"), () -> "output must end with a blank line: " + sse);
        List<String[]> events = new ArrayList<>();
        for (String e : sse.split("\n\n")) {
            if (e.isEmpty()) {
                continue;
            }
            String[] lines = e.split("\n");
            assertEquals(2, lines.length, () -> "one event line and one data line: " + e);
            assertTrue(lines[0].startsWith("event: ") && lines[1].startsWith("data: "), e);
            events.add(new String[] {lines[0].substring(7), lines[1].substring(6)});
        }
        return events;
    }

    /** Event by event: exact event names, data compared as JSON trees. */
    static void assertEvents(String expected, String actual) {
        List<String[]> exp = events(expected);
        List<String[]> act = events(actual);
        for (int i = 0; i < Math.min(exp.size(), act.size()); i++) {
            assertEquals(exp.get(i)[0], act.get(i)[0], "event " + i + " name");
            assertEquals(tree(exp.get(i)[1]), tree(act.get(i)[1]), "event " + i + ": " + act.get(i)[1]);
        }
        assertEquals(exp.size(), act.size(), () -> "event count; actual:\n" + actual);
    }
}
