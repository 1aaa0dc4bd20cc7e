package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * {@code store: stdout}: each row as one JSON line, field names as the table's columns, headers and
 * bodies embedded as JSON values (not strings), for a log shipper to pick up. Nothing to migrate,
 * delete or read back.
 */
public final class StdoutLogStore implements LogStore {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final OutputStream out;
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream(16 * 1024);

    StdoutLogStore(OutputStream out) {
        this.out = out;
    }

    @Override
    public void migrate() {}

    /** Writes the batch with one write and one flush, so lines of concurrent writers never mix. */
    @Override
    public synchronized void insert(List<LogRow> rows) throws SQLException {
        batch.reset();
        try {
            for (LogRow row : rows) {
                try (JsonGenerator g = MAPPER.createGenerator(batch)) {
                    LogRowJson.write(g, row);
                }
                batch.write('\n');
            }
            batch.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new SQLException("stdout log store: write failed", e);
        }
        if (out instanceof PrintStream ps && ps.checkError()) {
            // PrintStream swallows IOExceptions; this is its only way to tell.
            throw new SQLException("stdout log store: write failed");
        }
    }

    @Override
    public boolean ping() {
        return true;
    }

    @Override
    public int deleteOlderThan(Instant cutoff, int limit) {
        return 0;
    }

    @Override
    public List<LogRow> query(LogQuery query) {
        throw new UnsupportedOperationException("the stdout request log cannot be read back");
    }

    @Override
    public boolean readable() {
        return false;
    }

    /** Flushes; the stream belongs to the caller (it is usually System.out). */
    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException ignored) {
            // Nothing left to tell: the store is going away.
        }
    }

    @Override
    public String toString() {
        return "stdout log store";
    }
}
