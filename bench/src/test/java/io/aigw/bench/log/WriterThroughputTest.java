package io.aigw.bench.log;

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
        assertTrue(
                out.contains("\"written\":3300,") && out.contains("\"spilled\":0,") && out.endsWith("\"dropped\":0}"),
                out);
    }

    @Test
    void discardRunMeasuresRenderingAlone() throws Exception {
        String out = WriterThroughput.run(
                "--store", "discard", "--rows", "2000", "--warmup-rows", "0", "--stream-every", "0");
        assertTrue(out.contains("\"streamed\":0,") && out.contains("\"written\":2000,"), out);
    }
}
