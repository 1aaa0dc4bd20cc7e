package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stop (SIGTERM, a systemd restart) lets a stream in flight finish instead of cutting it. */
class GracefulShutdownIT {
    static final String CHUNK = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}";

    @TempDir
    Path dir;

    private static ProxyHarness proxy(TestUpstream up, int graceMs) throws Exception {
        return proxy(up, graceMs, "");
    }

    private static ProxyHarness proxy(TestUpstream up, int graceMs, String requestLog) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0, shutdown_grace_ms: %d}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m:
                    providers:
                      mock: {}
                %s
                """.formatted(graceMs, ProxyHarness.KEY, up.baseUrl(), requestLog));
    }

    private String sqliteLog() {
        Path db = dir.resolve("requests.db");
        return "request_log: {store: sqlite, flush_interval_ms: 20, sqlite: {path: \"" + db + "\"}, spill_dir: \""
                + dir.resolve("spill") + "\"}";
    }

    private Map<String, Object> onlyRow() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("requests.db"))) {
            List<Map<String, Object>> rows = RequestLogIT.rows(c);
            assertEquals(1, rows.size(), rows.toString());
            return rows.get(0);
        }
    }

    /** Everything the server sends until it closes the connection, as text. */
    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aStreamCutWhenTheGraceRunsOutGetsTheErrorEventAndAProperEnd() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = proxy(up, 300, sqliteLog());
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, raw.readHead());
                proxy.close();
                String rest = readToEnd(raw.in());
                assertTrue(rest.contains("data: " + CHUNK), rest);
                assertTrue(rest.contains("data: {\"error\":"), "the documented error event: " + rest);
                assertTrue(rest.contains("\"code\":\"shutdown\""), rest);
                assertTrue(rest.endsWith("\r\n0\r\n\r\n"), "the chunked body ends properly: " + rest);
                assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(5)), "the upstream call is cancelled");
            }
            String error = String.valueOf(onlyRow().get("error"));
            assertTrue(error.startsWith("shutdown"), error);
        }
    }

    @Test
    void aPlainRequestStillWaitingForItsProviderGets503ShuttingDown() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = proxy(up, 300, sqliteLog());
            up.enqueue(Reply.hang());
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                assertTrue(up.takeRequest(Duration.ofSeconds(5)) != null, "the provider has the request");
                proxy.close();
                RawHttp.Response response = raw.readResponse();
                assertEquals(503, response.status(), response.toString());
                assertTrue(response.body().contains("\"code\":\"shutting_down\""), response.body());
            }
            Map<String, Object> row = onlyRow();
            assertEquals(503, ((Number) row.get("status_code")).intValue(), row.toString());
            String error = String.valueOf(row.get("error"));
            assertTrue(error.startsWith("shutting_down"), error);
        }
    }

    @Test
    void aStreamInFlightFinishesAndNewConnectionsAreRefused() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = proxy(up, 10_000);
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, raw.readHead());
                BufferedReader body =
                        new BufferedReader(new InputStreamReader(raw.chunkedBody(), StandardCharsets.UTF_8));
                assertEquals("data: " + CHUNK, body.readLine());

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(proxy::close);
                Thread.sleep(300);
                assertFalse(stopping.isDone(), "the stop waits for the stream");
                assertThrows(
                        IOException.class,
                        () -> new Socket("127.0.0.1", proxy.port()).close(),
                        "no new connections while draining");

                script.send(CHUNK);
                script.end();
                assertEquals("", body.readLine());
                assertEquals("data: " + CHUNK, body.readLine());
                assertEquals("", body.readLine());
                assertEquals("data: [DONE]", body.readLine());
                stopping.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theGraceIsBounded() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = proxy(up, 300);
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, raw.readHead());
                long start = System.nanoTime();
                proxy.close();
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 5_000, "stopped after " + ms + " ms");
                assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(5)), "the cut stream's upstream is closed too");
            }
        }
    }
}
