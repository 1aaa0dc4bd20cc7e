package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.core.auth.KeyHash;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestPostgres;
import io.aigw.server.testing.TestUpstream;
import io.aigw.server.testing.ToggleTcpProxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request log through the real server, into real stores: SQLite (the default) and the
 * machine's PostgreSQL. Rows are read back with plain JDBC, independent of the store code.
 */
class RequestLogIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROVIDER_KEY = "sk-provider-secret-4242";
    static final String COMPLETION =
            "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up-model\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi there\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";
    static final List<String> STREAM = List.of(
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}",
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}",
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}");

    @TempDir
    Path dir;

    private static String yaml(String upstreamUrl, String requestLog) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: "%s"}
                models:
                  m:
                    retries: {count: 0}
                    providers: {mock: {model_id: up-model}}
                  m-fail:
                    retries: {count: 0}
                    providers: {mock: {model_id: up-fail}}
                request_log:
                %s
                """.formatted(ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, upstreamUrl, PROVIDER_KEY, requestLog.indent(2));
    }

    private static void answer(TestUpstream upstream) {
        upstream.setDefault(req -> {
            String body = req.bodyUtf8();
            if (body.contains("up-fail")) {
                return Reply.json(
                        500,
                        "{\"error\":{\"message\":\"the model crashed\",\"type\":\"server_error\",\"param\":null,\"code\":\"boom\"}}");
            }
            return body.contains("\"stream\":true") ? Reply.sse(STREAM) : Reply.json(200, COMPLETION);
        });
    }

    private static HttpResponse<String> chat(ProxyHarness proxy, String key, String requestId, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Content-Type", "application/json")
                .header("User-Agent", "it-test/1.0")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .header("Cookie", "session=cookie-secret-77")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (requestId != null) {
            b.header("x-request-id", requestId);
        }
        return proxy.send(b.build());
    }

    static List<Map<String, Object>> rows(Connection c) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM request_logs")) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    interface Db {
        Connection connect() throws SQLException;
    }

    static List<Map<String, Object>> awaitRows(Db db, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Map<String, Object>> rows = List.of();
        while (System.nanoTime() < deadline) {
            try (Connection c = db.connect()) {
                rows = rows(c);
                if (rows.size() >= n) {
                    return rows;
                }
            } catch (SQLException e) {
                // the table may not exist yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("expected " + n + " rows, found " + rows.size());
    }

    static String text(Object o) {
        return o == null ? null : o.toString();
    }

    static boolean bool(Object o) {
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof Number n) {
            return n.intValue() != 0;
        }
        return o != null
                && (o.toString().equals("t")
                        || o.toString().equals("true")
                        || o.toString().equals("1"));
    }

    static Long number(Object o) {
        return o == null ? null : ((Number) o).longValue();
    }

    static JsonNode json(Object o) throws Exception {
        return o == null ? null : JSON.readTree(o.toString());
    }

    private static Map<String, Object> byRequestId(List<Map<String, Object>> rows, String requestId) {
        return rows.stream()
                .filter(r -> requestId.equals(text(r.get("request_id"))))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + requestId + " in " + rows));
    }

    // ---- every field, both stores --------------------------------------------------------------

    @Test
    void sqliteRowsHoldEveryFieldForPlainStreamedAndFailedCalls() throws Exception {
        Path db = dir.resolve("data").resolve("requests.db");
        everyField(
                "store: sqlite\nsqlite: {path: \"" + db + "\"}\nflush_interval_ms: 20\nspill_dir: \""
                        + dir.resolve("spill") + "\"",
                () -> DriverManager.getConnection("jdbc:sqlite:" + db));
    }

    /** The same exchanges (plain, streamed, failed, refused) through the write-ahead log: the same rows. */
    @Test
    void withTheWalRowsHoldEveryFieldForPlainStreamedAndFailedCalls() throws Exception {
        Path db = dir.resolve("data").resolve("requests.db");
        everyField(
                "store: sqlite\nsqlite: {path: \"" + db + "\"}\ndurability: wal\nspill_dir: \"" + dir.resolve("spill")
                        + "\"",
                () -> DriverManager.getConnection("jdbc:sqlite:" + db));
    }

    @Test
    void postgresRowsHoldEveryFieldForPlainStreamedAndFailedCalls() throws Exception {
        try (TestPostgres pg = TestPostgres.require()) {
            everyField(
                    "store: postgres\npostgres: {url: \"" + pg.url() + "\", user: postgres}\nflush_interval_ms: 20\n"
                            + "spill_dir: \"" + dir.resolve("spill") + "\"",
                    pg::connect);
        }
    }

    private void everyField(String requestLog, Db db) throws Exception {
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(upstream.baseUrl(), requestLog))) {
            answer(upstream);
            String userText = "write to alice@example.com about card 4111 1111 1111 1111";
            HttpResponse<String> plain = chat(
                    proxy,
                    ProxyHarness.KEY,
                    "req-plain-1",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + userText + "\"}]}");
            assertEquals(200, plain.statusCode(), plain.body());
            HttpResponse<String> streamed = chat(
                    proxy,
                    ProxyHarness.KEY,
                    "req-stream-1",
                    "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, streamed.statusCode());
            assertFalse(streamed.body().contains("\"usage\""), "the forced usage chunk stays hidden from the client");
            assertEquals(
                    500,
                    chat(
                                    proxy,
                                    ProxyHarness.KEY,
                                    "req-fail-1",
                                    "{\"model\":\"m-fail\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                            .statusCode());
            assertEquals(
                    404,
                    chat(
                                    proxy,
                                    ProxyHarness.KEY,
                                    "req-unknown-1",
                                    "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                            .statusCode());
            assertEquals(
                    401,
                    chat(proxy, "sk-wrong-key-123", "req-denied-1", "{\"model\":\"m\"}")
                            .statusCode());

            List<Map<String, Object>> rows = awaitRows(db, 5);
            assertEquals(5, rows.size(), "one row per exchange: " + rows);
            String clientHash = KeyHash.ofKey(ProxyHarness.KEY).hex();

            Map<String, Object> p = byRequestId(rows, "req-plain-1");
            assertEquals(clientHash, text(p.get("api_key_hash")));
            assertEquals("/v1/chat/completions", text(p.get("endpoint")));
            assertEquals("m", text(p.get("model")));
            assertEquals("mock", text(p.get("provider")));
            assertEquals("up-model", text(p.get("model_resolved")));
            assertEquals(200, number(p.get("status_code")));
            assertFalse(bool(p.get("stream")));
            assertEquals(1, number(p.get("attempts")));
            assertNull(p.get("error"));
            assertEquals(11, number(p.get("prompt_tokens")));
            assertEquals(7, number(p.get("completion_tokens")));
            assertEquals(18, number(p.get("total_tokens")));
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", text(p.get("trace_id")));
            assertEquals("127.0.0.1", text(p.get("client_ip")));
            assertNotNull(p.get("ts"));
            assertTrue(number(p.get("total_latency_ms")) >= 0);
            assertTrue(number(p.get("provider_latency_ms")) >= 0);
            assertTrue(number(p.get("ttft_ms")) >= 0);
            JsonNode headers = json(p.get("request_headers"));
            assertEquals("it-test/1.0", headers.get("user-agent").asText());
            assertNull(headers.get("authorization"));
            assertNull(headers.get("cookie"));
            JsonNode requestBody = json(p.get("request_body"));
            assertEquals("m", requestBody.get("model").asText(), "the body as the client sent it");
            String loggedText =
                    requestBody.get("messages").get(0).get("content").asText();
            assertFalse(loggedText.contains("alice@example.com"), loggedText);
            assertFalse(loggedText.contains("4111 1111 1111 1111"), loggedText);
            assertTrue(loggedText.contains("[REDACTED:email]"), loggedText);
            assertEquals(
                    "Hi there",
                    json(p.get("response_body"))
                            .get("choices")
                            .get(0)
                            .get("message")
                            .get("content")
                            .asText());

            Map<String, Object> s = byRequestId(rows, "req-stream-1");
            assertTrue(bool(s.get("stream")));
            assertEquals(200, number(s.get("status_code")));
            assertEquals(5, number(s.get("prompt_tokens")), "usage of a stream, from the chunk the client never saw");
            assertEquals(2, number(s.get("completion_tokens")));
            assertEquals(7, number(s.get("total_tokens")));
            JsonNode assembled = json(s.get("response_body"));
            assertEquals("Hello", assembled.get("content").asText(), assembled.toString());
            assertEquals("stop", assembled.get("finish_reason").asText(), assembled.toString());

            Map<String, Object> f = byRequestId(rows, "req-fail-1");
            assertEquals(500, number(f.get("status_code")));
            assertEquals("mock", text(f.get("provider")));
            assertTrue(text(f.get("error")).contains("the model crashed"), text(f.get("error")));

            Map<String, Object> u = byRequestId(rows, "req-unknown-1");
            assertEquals(404, number(u.get("status_code")));
            assertEquals("nope", text(u.get("model")));
            assertNull(u.get("provider"));
            assertTrue(text(u.get("error")).startsWith("model_not_found"), text(u.get("error")));

            Map<String, Object> d = byRequestId(rows, "req-denied-1");
            assertEquals(401, number(d.get("status_code")));
            assertNull(d.get("api_key_hash"), "an unknown key is not a client");
            assertTrue(text(d.get("error")).startsWith("invalid_api_key"), text(d.get("error")));

            // No column of any row holds a client key, a provider key, a credential header or a cookie.
            for (Map<String, Object> row : rows) {
                for (Map.Entry<String, Object> col : row.entrySet()) {
                    String v = text(col.getValue());
                    if (v == null) {
                        continue;
                    }
                    for (String secret : List.of(
                            ProxyHarness.KEY, PROVIDER_KEY, "sk-wrong-key-123", "Bearer sk-", "cookie-secret-77")) {
                        assertFalse(
                                v.contains(secret), col.getKey() + " of " + row.get("request_id") + " holds " + secret);
                    }
                }
            }

            // Read back through the admin API, newest first.
            HttpResponse<String> back = proxy.adminGet("/admin/logs?model=m&limit=10");
            assertEquals(200, back.statusCode(), back.body());
            JsonNode data = JSON.readTree(back.body()).get("data");
            assertEquals(2, data.size(), back.body());
            assertEquals("req-stream-1", data.get(0).get("request_id").asText());
            assertEquals("req-plain-1", data.get(1).get("request_id").asText());
            assertEquals(
                    "Hello", data.get(0).get("response_body").get("content").asText());
            assertEquals(400, proxy.adminGet("/admin/logs?limit=0").statusCode());
            JsonNode stats = JSON.readTree(proxy.adminGet("/admin/logs/stats").body());
            // The five exchanges, and perhaps the rows of the two admin reads before this one (a flush
            // interval is 20 ms); written live, or through the spill when a batch waited too long.
            long written = stats.get("written").asLong() + stats.get("replayed").asLong();
            assertTrue(written >= 5 && written <= 7, stats.toString());
            assertEquals(0, stats.get("dropped").asLong(), stats.toString());
            assertTrue(stats.get("store_up").asBoolean(), stats.toString());
            assertEquals(401, proxy.get("/admin/logs").statusCode(), "a client key cannot read the log");
        }
    }

    // ---- outage, stop, body modes --------------------------------------------------------------

    @Test
    void aPostgresOutageUnderLoadLosesNothingAndDuplicatesNothing() throws Exception {
        try (TestPostgres pg = TestPostgres.require();
                ToggleTcpProxy link = new ToggleTcpProxy(TestPostgres.HOST, TestPostgres.PORT);
                TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(
                        upstream.baseUrl(),
                        "store: postgres\npostgres: {url: \"" + pg.url(link.port()) + "\", user: postgres}\n"
                                + "flush_interval_ms: 20\nbatch_size: 20\nspill_dir: \"" + dir.resolve("spill")
                                + "\""))) {
            answer(upstream);
            int total = 600;
            AtomicInteger sent = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                String id = "req-outage-" + i;
                String body = i % 3 == 0
                        ? "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                        : "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
                statuses.add(clients.submit(() -> {
                    int status = chat(proxy, ProxyHarness.KEY, id, body).statusCode();
                    sent.incrementAndGet();
                    return status;
                }));
            }
            awaitCount(sent, 100);
            link.down(); // the database goes away mid-load
            awaitCount(sent, 400);
            Thread.sleep(1_500); // outlast the probe, so the writer surely spills
            link.up();
            for (Future<Integer> f : statuses) {
                assertEquals(200, f.get(), "the outage is invisible to clients");
            }
            clients.shutdown();
            List<Map<String, Object>> rows = awaitRows(pg::connect, total);
            Set<String> ids = new HashSet<>();
            for (Map<String, Object> r : rows) {
                assertTrue(ids.add(text(r.get("request_id"))), "twice: " + r.get("request_id"));
            }
            assertEquals(total, rows.size());
            long streamed = rows.stream().filter(r -> bool(r.get("stream"))).count();
            assertEquals(total / 3, streamed);
            assertTrue(
                    rows.stream().filter(r -> bool(r.get("stream"))).allMatch(r -> number(r.get("total_tokens")) == 7),
                    "streamed usage survives the spill");
        }
    }

    private static void awaitCount(AtomicInteger n, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (n.get() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void aCleanStopWritesEverythingStillQueued() throws Exception {
        Path db = dir.resolve("stop.db");
        try (TestUpstream upstream = TestUpstream.start()) {
            answer(upstream);
            ProxyHarness proxy = ProxyHarness.startYaml(yaml(
                    upstream.baseUrl(),
                    "store: sqlite\nsqlite: {path: \"" + db
                            + "\"}\nflush_interval_ms: 60000\nbatch_size: 10000\nspill_dir: \"" + dir.resolve("spill")
                            + "\""));
            for (int i = 0; i < 30; i++) {
                assertEquals(
                        200,
                        chat(
                                        proxy,
                                        ProxyHarness.KEY,
                                        "req-stop-" + i,
                                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                                .statusCode());
            }
            long stopping = System.nanoTime();
            proxy.close(); // nothing was due yet: a minute's flush interval, a batch of 10,000
            long stopMs = (System.nanoTime() - stopping) / 1_000_000;
            assertTrue(
                    stopMs < 8_000,
                    "the stop writes and returns, not waiting out the 10 s drain timeout: " + stopMs + " ms");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                assertEquals(30, rows(c).size());
            }
        }
    }

    @Test
    void usageIsRightWhetherTheRowKeepsTheWholeAnswerOrACutOne() throws Exception {
        // Usage is read from the row's copy of a whole answer (on the writer thread), and from the
        // answer itself (on the event loop) when the copy is cut: both must give the provider's figures.
        int whole = COMPLETION.length();
        for (int maxBody : new int[] {whole, whole - 1, 64}) {
            Path db = dir.resolve("cut-" + maxBody + ".db");
            try (TestUpstream upstream = TestUpstream.start();
                    ProxyHarness proxy = ProxyHarness.startYaml(yaml(
                            upstream.baseUrl(),
                            "store: sqlite\nmax_body_bytes: " + maxBody + "\nsqlite: {path: \"" + db
                                    + "\"}\nflush_interval_ms: 20\nspill_dir: \"" + dir.resolve("spill-" + maxBody)
                                    + "\""))) {
                answer(upstream);
                assertEquals(
                        200,
                        chat(
                                        proxy,
                                        ProxyHarness.KEY,
                                        "req-cut",
                                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                                .statusCode());
                Map<String, Object> row = awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 1)
                        .get(0);
                assertEquals(maxBody < whole, bool(row.get("response_truncated")), "max_body_bytes " + maxBody);
                assertEquals(11, number(row.get("prompt_tokens")), "max_body_bytes " + maxBody);
                assertEquals(7, number(row.get("completion_tokens")), "max_body_bytes " + maxBody);
                assertEquals(18, number(row.get("total_tokens")), "max_body_bytes " + maxBody);
            }
        }
    }

    /** Sends raw bytes and reads the answer until the server closes (it does after these refusals). */
    private static String raw(ProxyHarness proxy, String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void requestsRefusedBeforeTheyStartStillGetARow() throws Exception {
        Path db = dir.resolve("refused.db");
        String yaml = yaml(
                        "http://127.0.0.1:9/v1",
                        "store: sqlite\nsqlite: {path: \"" + db + "\"}\nflush_interval_ms: 20\nspill_dir: \""
                                + dir.resolve("spill") + "\"")
                .replace(
                        "server: {host: 127.0.0.1, port: 0}",
                        "server: {host: 127.0.0.1, port: 0, max_body_bytes: 4096}");
        try (ProxyHarness proxy = ProxyHarness.startYaml(yaml)) {
            String big =
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(10_000) + "\"}]}";
            assertEquals(413, chat(proxy, ProxyHarness.KEY, "req-too-big", big).statusCode());
            // Refused on the declared length before any body is sent (the JDK client hangs on a
            // final answer to Expect, so raw bytes; the connection stays open, so read one line).
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream()
                        .write(("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                                        + "Authorization: Bearer " + ProxyHarness.KEY
                                        + "\r\nx-request-id: req-too-big-continue\r\n"
                                        + "Expect: 100-continue\r\nContent-Length: 10000\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                String status = new java.io.BufferedReader(new java.io.InputStreamReader(
                                socket.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .readLine();
                assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
            }
            assertTrue(raw(
                            proxy,
                            "GET /v1/%zz?api_key=sk-in-the-query-0042 HTTP/1.1\r\nHost: a\r\nx-request-id: req-bad-url\r\n"
                                    + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nUser-Agent: raw/1\r\n\r\n")
                    .startsWith("HTTP/1.1 400"));
            assertTrue(raw(proxy, "GET /v1/models HTTQ/1.1\r\nHost: a\r\n\r\n").contains(" 400 "));

            List<Map<String, Object>> rows = awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 4);
            assertEquals(4, rows.size(), rows.toString());
            for (String id : List.of("req-too-big", "req-too-big-continue")) {
                Map<String, Object> r = byRequestId(rows, id);
                assertEquals(413, number(r.get("status_code")), id);
                assertEquals("/v1/chat/completions", text(r.get("endpoint")), id);
                assertEquals(
                        "request_too_large: Request body exceeds the limit of 4096 bytes.", text(r.get("error")), id);
                assertNull(r.get("request_body"), "the body was never read");
            }
            Map<String, Object> badUrl = byRequestId(rows, "req-bad-url");
            assertEquals(400, number(badUrl.get("status_code")));
            assertEquals("/v1/%zz", text(badUrl.get("endpoint")), "as sent, without the query");
            assertTrue(text(badUrl.get("error")).startsWith("invalid_url"), text(badUrl.get("error")));
            assertEquals(
                    "raw/1",
                    json(badUrl.get("request_headers")).get("user-agent").asText());
            Map<String, Object> malformed = rows.stream()
                    .filter(r -> text(r.get("error")).startsWith("malformed_http"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no malformed_http row in " + rows));
            assertEquals(400, number(malformed.get("status_code")));
            for (Map<String, Object> r : rows) {
                assertNotNull(r.get("client_ip"));
                for (Object v : r.values()) {
                    String t = String.valueOf(v);
                    assertFalse(
                            t.contains(ProxyHarness.KEY) || t.contains("sk-in-the-query"),
                            "a credential in a row: " + r);
                }
            }
        }
    }

    @Test
    void metadataModeKeepsHeadersButNoBodies() throws Exception {
        Path db = dir.resolve("meta.db");
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(
                        upstream.baseUrl(),
                        "store: sqlite\nbodies: metadata\nsqlite: {path: \"" + db
                                + "\"}\nflush_interval_ms: 20\nspill_dir: \"" + dir.resolve("spill") + "\""))) {
            answer(upstream);
            chat(
                    proxy,
                    ProxyHarness.KEY,
                    "req-meta-1",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            chat(
                    proxy,
                    ProxyHarness.KEY,
                    "req-meta-2",
                    "{\"model\":\"m-fail\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            List<Map<String, Object>> rows = awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 2);
            Map<String, Object> ok = byRequestId(rows, "req-meta-1");
            assertNull(ok.get("request_body"));
            assertNull(ok.get("response_body"));
            assertEquals(18, number(ok.get("total_tokens")), "usage is metadata");
            assertEquals(
                    "it-test/1.0",
                    json(ok.get("request_headers")).get("user-agent").asText());
            assertTrue(
                    text(byRequestId(rows, "req-meta-2").get("error")).contains("the model crashed"),
                    "the error is named without keeping the body");
            assertNull(byRequestId(rows, "req-meta-2").get("response_body"));
        }
    }
}
