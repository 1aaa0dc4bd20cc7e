package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StdoutLogStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-23T17:01:02.345Z");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final LogStore store = LogStores.stdout(out);

    private List<String> lines() {
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"));
        return List.of(text.split("\n"));
    }

    @Test
    void eachRowIsOneJsonLineWithTheJsonColumnsEmbedded() throws Exception {
        LogRow full = LogRows.full(T0);
        LogRow minimal = LogRows.minimal(T0);
        store.insert(List.of(full));
        store.insert(List.of(minimal));

        List<String> lines = lines();
        assertEquals(2, lines.size());
        JsonNode a = LogRows.tree(lines.get(0));
        assertEquals(full.logId().toString(), a.get("log_id").asText());
        assertEquals("2026-11-23T17:01:02.345Z", a.get("ts").asText());
        assertEquals("req_ünï-😀", a.get("request_id").asText());
        assertTrue(a.get("stream").asBoolean());
        assertEquals(1234, a.get("total_latency_ms").asLong());
        assertEquals(46, a.get("total_tokens").asInt());
        assertEquals(5, a.get("cached_tokens").asInt());
        assertEquals(1.2345678901234567e-4, a.get("cost_usd").doubleValue(), "every bit of the cost");
        assertEquals("anthropic", a.get("client_api").asText());
        assertTrue(a.get("request_headers").isObject());
        assertEquals(LogRows.tree(full.requestBody()), a.get("request_body"));
        assertEquals(LogRows.tree(full.responseBody()), a.get("response_body"));
        assertEquals(RequestLogsTable.COLUMNS.size(), a.size(), "one field per column");
        assertFalse(a.get("request_body_as_text").asBoolean());

        JsonNode b = LogRows.tree(lines.get(1));
        assertTrue(b.get("request_body").isTextual(), "a truncated body is a JSON string");
        assertTrue(b.get("response_body").isNull());
        assertTrue(b.get("ttft_ms").isNull());
        assertTrue(b.get("model").isNull());
        assertTrue(b.get("cost_usd").isNull(), "an unknown cost is null");
        assertTrue(b.get("client_api").isNull(), "an unknown client API is null");
    }

    @Test
    void aPrettyPrintedBodyStaysOnItsLineAndTextThatIsNotJsonBecomesAString() throws Exception {
        LogRow full = LogRows.full(T0);
        LogRow pretty = new LogRow(
                full.logId(),
                full.ts(),
                null,
                null,
                null,
                null,
                null,
                null,
                200,
                false,
                1,
                null,
                "{\n  \"a\": 1\n}",
                "{\"x\":1} trailing",
                "not json\nat all",
                false,
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        store.insert(List.of(pretty, full));

        List<String> lines = lines();
        assertEquals(2, lines.size());
        JsonNode a = LogRows.tree(lines.get(0));
        assertEquals(1, a.get("request_headers").get("a").asInt());
        assertEquals("{\"x\":1} trailing", a.get("request_body").asText());
        assertEquals("not json\nat all", a.get("response_body").asText());
    }

    @Test
    void nothingToMigrateDeleteOrReadBack() throws Exception {
        store.migrate();
        assertTrue(store.ping());
        assertFalse(store.readable());
        assertEquals(0, store.deleteOlderThan(T0, 100));
        assertThrows(UnsupportedOperationException.class, () -> store.query(new LogQuery(null, null, null, null, 1)));
        store.insert(List.of());
        assertEquals(0, out.size());
    }

    @Test
    void aFailedWriteIsAnSqlException() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }
        };
        LogStore viaPrintStream = LogStores.stdout(new PrintStream(broken, true, StandardCharsets.UTF_8));
        assertThrows(SQLException.class, () -> viaPrintStream.insert(List.of(LogRows.full(T0))));
        LogStore direct = LogStores.stdout(broken);
        assertThrows(SQLException.class, () -> direct.insert(List.of(LogRows.full(T0))));
    }
}
