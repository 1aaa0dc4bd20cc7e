package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Failover across a model's deployments through the real server, counting the calls each provider
 * saw: lower priority first, a failure before the first byte moves on, a client error does not, an
 * open breaker keeps a dead deployment out, and every failure at once is a 503 naming the last.
 */
class FailoverIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";

    private static ProxyHarness proxy(String primaryUrl, String backupUrl) throws Exception {
        return proxy(primaryUrl, backupUrl, "[connect_error, status]");
    }

    private static ProxyHarness proxy(String primaryUrl, String backupUrl, String retryOn) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                upstream: {breaker: {failures: 3, cooldown_ms: 600000}}
                providers:
                  primary: {type: openai, base_url: "%s"}
                  backup: {type: openai, base_url: "%s"}
                models:
                  m:
                    retries: {count: 0}   # failover alone; retries have their own tests
                    retry_on: %s
                    providers:
                      primary: {priority: 0}
                      backup: {priority: 1}
                """.formatted(ProxyHarness.KEY, primaryUrl, backupUrl, retryOn));
    }

    private static String closedPortUrl() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort() + "/v1";
        }
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void aRefusedPrimaryFailsOverToTheBackup() throws Exception {
        try (TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(closedPortUrl(), backup.baseUrl())) {
            backup.setDefault(r -> Reply.json(200, OK));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(OK, r.body());
            assertEquals("backup", header(r, "x-proxy-provider"));
            assertEquals("2", header(r, "x-proxy-attempts"));
        }
    }

    @Test
    void a5xxMovesOnButAClientErrorComesBackAsItIs() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            backup.setDefault(r -> Reply.json(200, OK));
            primary.enqueue(Reply.json(
                    503, "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
            HttpResponse<String> moved = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, moved.statusCode());
            assertEquals(1, primary.requestCount());
            assertEquals(1, backup.requestCount());

            String bad =
                    "{\"error\":{\"message\":\"bad tool schema\",\"type\":\"invalid_request_error\",\"param\":\"tools\",\"code\":null}}";
            primary.enqueue(Reply.json(400, bad));
            HttpResponse<String> clientError = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(400, clientError.statusCode());
            assertEquals(bad, clientError.body());
            assertEquals("1", header(clientError, "x-proxy-attempts"));
            assertEquals(1, backup.requestCount(), "a client error is not failed over");
        }
    }

    @Test
    void withOneOfTwoDownEveryRequestSucceedsAndTheOpenBreakerSkipsTheDeadOne() throws Exception {
        try (TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(closedPortUrl(), backup.baseUrl())) {
            backup.setDefault(r -> Reply.json(200, OK));
            for (int i = 0; i < 1000; i++) {
                HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
                assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
                // The first three go to the dead primary first; then its breaker is open.
                assertEquals(i < 3 ? "2" : "1", header(r, "x-proxy-attempts"), "request " + i);
            }
            assertEquals(1000, backup.requestCount());
        }
    }

    @Test
    void aRateLimitWithRetryAfterCoolsThePrimaryAtOnce() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            backup.setDefault(r -> Reply.json(200, OK));
            primary.setDefault(r -> Reply.json(200, OK));
            primary.enqueue(Reply.json(
                    429,
                    "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":null}}",
                    Map.of("retry-after", "60")));
            assertEquals("2", header(proxy.post("/v1/chat/completions", CHAT), "x-proxy-attempts"));
            HttpResponse<String> next = proxy.post("/v1/chat/completions", CHAT);
            assertEquals("backup", header(next, "x-proxy-provider"), "the primary is cooling for 60 s");
            assertEquals("1", header(next, "x-proxy-attempts"));
            assertEquals(1, primary.requestCount());
        }
    }

    @Test
    void whenEveryDeploymentFailsTheAnswerIs503NamingTheLast() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            primary.enqueue(Reply.json(
                    500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
            backup.enqueue(Reply.text(502, "text/html", "<html>bad gateway</html>"));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(503, r.statusCode());
            var error = assertError(r.body(), "api_error", "all_deployments_failed", null);
            assertTrue(error.get("message").asText().contains("Provider 'backup' answered HTTP 502"), r.body());
            assertEquals("2", header(r, "x-proxy-attempts"));
        }
    }

    @Test
    void aStreamCutBeforeItsFirstByteFailsOverWhenTheRouteRetriesCuts() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl(), "[connect_error, status, cut]")) {
            primary.enqueue(Reply.closeImmediately());
            backup.enqueue(Reply.sse(List.of(
                    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}")));
            HttpResponse<String> r = proxy.post(
                    "/v1/chat/completions",
                    "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"content\":\"hi\""), r.body());
            assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
            assertEquals("backup", header(r, "x-proxy-provider"));
        }
    }

    @Test
    void leastLatencyPrefersTheFasterDeployment() throws Exception {
        try (TestUpstream slow = TestUpstream.start();
                TestUpstream fast = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml("""
                     server: {host: 127.0.0.1, port: 0}
                     auth: {api_keys: ["%s"]}
                     providers:
                       slow: {type: openai, base_url: "%s"}
                       fast: {type: openai, base_url: "%s"}
                     models:
                       m:
                         strategy: least_latency
                         providers:
                           slow: {}
                           fast: {}
                     """.formatted(ProxyHarness.KEY, slow.baseUrl(), fast.baseUrl()))) {
            slow.setDefault(r -> Reply.delayed(java.time.Duration.ofMillis(150), Reply.json(200, OK)));
            fast.setDefault(r -> Reply.json(200, OK));
            for (int i = 0; i < 30; i++) {
                assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
            }
            // Unfed trackers would make this a coin toss (about 15 each).
            assertTrue(fast.requestCount() >= 25, "fast " + fast.requestCount() + ", slow " + slow.requestCount());
        }
    }
}
