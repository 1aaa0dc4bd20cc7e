package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
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
                    write(g, row);
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

    private static void write(JsonGenerator g, LogRow r) throws IOException {
        g.writeStartObject();
        g.writeStringField("log_id", r.logId().toString());
        g.writeStringField("ts", r.ts().toString());
        g.writeStringField("request_id", r.requestId());
        g.writeStringField("api_key_hash", r.apiKeyHash());
        g.writeStringField("endpoint", r.endpoint());
        g.writeStringField("model", r.model());
        g.writeStringField("provider", r.provider());
        g.writeStringField("model_resolved", r.modelResolved());
        g.writeNumberField("status_code", r.statusCode());
        g.writeBooleanField("stream", r.stream());
        g.writeNumberField("attempts", r.attempts());
        g.writeStringField("error", r.error());
        writeJson(g, "request_headers", r.requestHeaders());
        writeJson(g, "request_body", r.requestBody());
        writeJson(g, "response_body", r.responseBody());
        g.writeBooleanField("request_truncated", r.requestTruncated());
        g.writeBooleanField("response_truncated", r.responseTruncated());
        writeNumber(g, "total_latency_ms", r.totalLatencyMs());
        writeNumber(g, "provider_latency_ms", r.providerLatencyMs());
        writeNumber(g, "ttft_ms", r.ttftMs());
        writeNumber(g, "prompt_tokens", r.promptTokens());
        writeNumber(g, "completion_tokens", r.completionTokens());
        writeNumber(g, "total_tokens", r.totalTokens());
        g.writeStringField("trace_id", r.traceId());
        g.writeStringField("client_ip", r.clientIp());
        g.writeEndObject();
    }

    /**
     * Re-parsed rather than copied raw: a pretty-printed body would otherwise break the one line
     * per row, and text that is not JSON after all would break the whole line (it goes as a string).
     */
    private static void writeJson(JsonGenerator g, String name, String json) throws IOException {
        g.writeFieldName(name);
        if (json == null) {
            g.writeNull();
            return;
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            g.writeString(json);
            return;
        }
        if (tree == null || tree.isMissingNode()) {
            g.writeString(json);
        } else {
            g.writeTree(tree);
        }
    }

    private static void writeNumber(JsonGenerator g, String name, Number n) throws IOException {
        g.writeFieldName(name);
        if (n == null) {
            g.writeNull();
        } else {
            g.writeNumber(n.longValue());
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
