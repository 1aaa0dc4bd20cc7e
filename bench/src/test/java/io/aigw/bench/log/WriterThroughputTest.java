package io.aigw.bench.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small run of the writer benchmark on SQLite and on no store: every row written, none spilled or dropped. */
class WriterThroughputTest {
    @TempDir
    Path dir;

    @Test
    void sqliteRunWritesEveryRow() throws Exception {
        String out = WriterThroughput.run(
                "--store",
                "sqlite",
                "--sqlite-path",
                dir.resolve("r.db").toString(),
                "--rows",
                "3000",
                "--warmup-rows",
                "300",
                "--batch-size",
                "100");
        assertTrue(out.contains("\"rows\":3000,\"streamed\":1000,"), out);
        // Handed 3,300 rows at once, the writer sends batches older than the flush interval through the
        // spill (what bounds a crash's loss): every row is written live or replayed, none dropped.
        assertEquals(3300, field(out, "written") + field(out, "replayed"), out);
        assertEquals(field(out, "spilled"), field(out, "replayed"), out);
        assertEquals(0, field(out, "dropped"), out);
    }

    @Test
    void discardRunMeasuresRenderingAlone() throws Exception {
        String out = WriterThroughput.run(
                "--store", "discard", "--rows", "2000", "--warmup-rows", "0", "--stream-every", "0");
        assertTrue(out.contains("\"streamed\":0,") && out.contains("\"written\":2000,"), out);
    }

    private static long field(String json, String name) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
