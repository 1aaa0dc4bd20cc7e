package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The upstream pool's bounds: connections, waiting acquires, acquire timeout, idle eviction. */
class UpstreamPoolIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    private static String yaml(String upstreamUrl, String providerExtra) {
        // One I/O thread: pools are per event loop, so every request meets the same pool.
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 1}
                auth: {api_keys: ["%s"]}
                providers:
                  mock:
                    type: openai
                    base_url: "%s"
                %s
                models:
                  m:
                    providers:
                      mock: {}
                """.formatted(ProxyHarness.KEY, upstreamUrl, providerExtra);
    }

    @Test
    void aFullPoolAnswers503AfterTheAcquireTimeout() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(
                        up.baseUrl(),
                        "    max_connections: 1\n    max_pending_acquires: 1\n    acquire_timeout_ms: 300\n"))) {
            up.enqueue(Reply.delayed(Duration.ofSeconds(2), Reply.json(200, "{\"first\":true}")));
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> post(proxy));
            assertTrue(waitForRequests(up, 1), "the first call holds the only connection");
            HttpResponse<String> second = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(503, second.statusCode());
            assertError(second.body(), "api_error", "upstream_pool_exhausted", null);
            assertEquals("{\"first\":true}", first.get().body());
            assertEquals(1, up.connectionsOpened());
        }
    }

    @Test
    void idleConnectionsAreEvictedFromThePool() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(up.baseUrl(), "    pool_idle_timeout_ms: 200\n"))) {
            up.enqueue(Reply.json(200, "{}"));
            assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
            assertTrue(up.awaitConnectionClosed(Duration.ofSeconds(3)), "idle pooled connection closed by the proxy");
            up.enqueue(Reply.json(200, "{}"));
            assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(2, up.connectionsOpened(), "a fresh connection after eviction");
        }
    }

    @Test
    void providersOnTheSameOriginShareConnectionsAndKeepTheirOwnKeys() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(twoProviders(up.baseUrl(), up.baseUrl(), ""))) {
            for (int i = 0; i < 6; i++) {
                up.enqueue(Reply.json(200, "{}"));
                assertEquals(
                        200,
                        proxy.post("/v1/chat/completions", chat(i % 2 == 0 ? "a" : "b"))
                                .statusCode());
                RecordedRequest seen = up.takeRequest(Duration.ofSeconds(5));
                assertEquals(
                        "Bearer " + (i % 2 == 0 ? "sk-upstream-a" : "sk-upstream-b"), seen.header("authorization"));
                assertTrue(seen.bodyUtf8().contains(i % 2 == 0 ? "\"model-a\"" : "\"model-b\""), seen.bodyUtf8());
            }
            assertEquals(1, up.connectionsOpened(), "one keep-alive connection serves both providers");
        }
    }

    @Test
    void providersWithDifferentPoolSettingsKeepTheirOwnPools() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml(twoProviders(up.baseUrl(), up.baseUrl(), "    max_connections: 7\n"))) {
            for (int i = 0; i < 4; i++) {
                up.enqueue(Reply.json(200, "{}"));
                assertEquals(
                        200,
                        proxy.post("/v1/chat/completions", chat(i % 2 == 0 ? "a" : "b"))
                                .statusCode());
            }
            assertEquals(2, up.connectionsOpened(), "max_connections differs, so the pools do");
        }
    }

    /** Providers pa and pb (pb with {@code pbExtra}), models a and b on them. */
    private static String twoProviders(String urlA, String urlB, String pbExtra) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 1}
                auth: {api_keys: ["%s"]}
                providers:
                  pa: {type: openai, base_url: "%s", api_key: sk-upstream-a}
                  pb:
                    type: openai
                    base_url: "%s"
                    api_key: sk-upstream-b
                %s
                models:
                  a: {providers: {pa: {model_id: model-a}}}
                  b: {providers: {pb: {model_id: model-b}}}
                """.formatted(ProxyHarness.KEY, urlA, urlB, pbExtra);
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    }

    private static HttpResponse<String> post(ProxyHarness proxy) {
        try {
            return proxy.post("/v1/chat/completions", CHAT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean waitForRequests(TestUpstream up, int n) throws InterruptedException {
        for (int i = 0; i < 300 && up.requestCount() < n; i++) {
            Thread.sleep(10);
        }
        return up.requestCount() >= n;
    }
}
