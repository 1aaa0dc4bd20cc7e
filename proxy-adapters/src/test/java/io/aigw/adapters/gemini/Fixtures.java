package io.aigw.adapters.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/** Golden fixtures under {@code src/test/resources/gemini/}, and deterministic tool-call ids. */
final class Fixtures {
    private Fixtures() {}

    static String resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/gemini/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("missing fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Event by event: exact framing (one data line each), [DONE] exact, JSON payloads compared as trees. */
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
                try {
                    assertEquals(JSON.readTree(e.substring(6)), JSON.readTree(a.substring(6)), "event " + i + ": " + a);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            }
        }
        assertEquals(exp.size(), act.size(), () -> "event count; actual:\n" + actual);
    }

    /** call_1, call_2, ... so generated ids can be compared. */
    static Supplier<String> ids() {
        int[] n = {0};
        return () -> "call_" + (++n[0]);
    }
}
