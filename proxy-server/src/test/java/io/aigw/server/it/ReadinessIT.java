package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} (and {@code /health/readiness}) beside {@code /health}: ready with each
 * dependency's state once started, degraded when the request log's store is down, 503 while a stop
 * drains a stream (and {@code /health} 503 {@code shutting_down} then); no key, no row.
 */
class ReadinessIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHUNK =
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}";

    @TempDir
    Path dir;

    private String yaml(String requestLog, String baseUrl) {
        return """
                server: {host: 127.0.0.1, port: 0, shutdown_grace_ms: 4000}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                data_dir: "%s"
                request_log: %s
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m: {providers: {mock: {}}}
                """.formatted(ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, dir, requestLog, baseUrl);
    }

    @Test
    void readyOnceStartedWithEachDependencyAndNeitherKeyNorRowNeeded() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.startYaml(yaml("{store: sqlite}", "http://127.0.0.1:1/v1"))) {
            for (String path : new String[] {"/readyz", "/health/readiness"}) {
                HttpResponse<String> r = proxy.call("GET", path, null);
                assertEquals(200, r.statusCode(), r.body());
                JsonNode body = JSON.readTree(r.body());
                assertEquals("ready", body.path("status").asText(), r.body());
                assertEquals(
                        "up",
                        body.path("checks").path("request_log").path("status").asText(),
                        r.body());
                assertEquals(
                        "sqlite",
                        body.path("checks").path("request_log").path("store").asText(),
                        r.body());
            }
            assertEquals(200, proxy.call("GET", "/health", null).statusCode());
            // The probes left no row: the first admin read finds nothing queued.
            JsonNode stats = JSON.readTree(proxy.adminGet("/admin/logs/stats").body());
            assertEquals(0, stats.path("queued").asLong(), stats.toString());
        }
    }

    @Test
    void aRequestLogThatIsOffIsReportedOff() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.startYaml(yaml("{store: off}", "http://127.0.0.1:1/v1"))) {
            HttpResponse<String> r = proxy.call("GET", "/readyz", null);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    "{\"status\":\"ready\",\"checks\":{\"request_log\":{\"status\":\"off\",\"store\":\"off\"}}}",
                    r.body());
        }
    }

    @Test
    void aPostgresStoreThatDoesNotAnswerMakesItDegradedNotUnready() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String log =
                "{store: postgres, postgres: {url: \"jdbc:postgresql://127.0.0.1:%d/test?connectTimeout=1\"}, drain_timeout_ms: 200}"
                        .formatted(closed);
        try (ProxyHarness proxy = ProxyHarness.startYaml(yaml(log, "http://127.0.0.1:1/v1"))) {
            HttpResponse<String> r = proxy.call("GET", "/readyz", null);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = JSON.readTree(r.body());
            assertEquals("degraded", body.path("status").asText(), r.body());
            assertEquals(
                    "down",
                    body.path("checks").path("request_log").path("status").asText(),
                    r.body());
            assertEquals(
                    "postgres",
                    body.path("checks").path("request_log").path("store").asText(),
                    r.body());
            assertEquals(200, proxy.call("GET", "/health", null).statusCode());
        }
    }

    @Test
    void whileAStopDrainsAStreamBothProbesSay503() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = ProxyHarness.startYaml(yaml("{store: off}", up.baseUrl()));
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            try (RawHttp stream = new RawHttp(proxy.port());
                    RawHttp ready = new RawHttp(proxy.port());
                    RawHttp live = new RawHttp(proxy.port())) {
                stream.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, stream.readHead());
                // Kept-alive probe connections, opened while the server still accepts.
                assertEquals(200, get(ready, "/readyz").status());
                assertEquals(200, get(live, "/health").status());

                CompletableFuture<Void> stop = CompletableFuture.runAsync(proxy::close);
                awaitRefused(proxy.port());

                RawHttp.Response readiness = get(ready, "/readyz");
                assertEquals(503, readiness.status(), readiness.body());
                assertEquals(
                        "not_ready",
                        JSON.readTree(readiness.body()).path("status").asText());
                assertEquals(
                        "draining",
                        JSON.readTree(readiness.body()).path("phase").asText());
                assertTrue(readiness.headers().contains("connection: close"), readiness.headers());
                RawHttp.Response health = get(live, "/health");
                assertEquals(503, health.status(), health.body());
                assertEquals(
                        "shutting_down",
                        JSON.readTree(health.body()).path("error").path("code").asText(),
                        health.body());

                script.send(CHUNK);
                script.end();
                stop.get(10, TimeUnit.SECONDS);
                assertEquals(0, proxy.server().cutExchanges(), "the stream finished within the grace");
            } finally {
                proxy.close();
            }
        }
    }

    private static RawHttp.Response get(RawHttp raw, String path) throws IOException {
        raw.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        return raw.readResponse();
    }

    /** A stop closes the listening socket right after it starts draining. */
    private static void awaitRefused(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                Thread.sleep(20);
            } catch (ConnectException refused) {
                return;
            }
        }
        throw new AssertionError("the server still accepts connections 5 s into the stop");
    }
}
