package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.metrics.Scrape;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import io.aigw.server.testing.VirtualTime;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} through the real server: formats, auth, and the scrape-time gauges. */
class MetricsIT {
    static final String PROVIDER_KEY_1 = "sk-metrics-provider-one";
    static final String PROVIDER_KEY_2 = "sk-metrics-provider-two";

    static String yaml(String primaryUrl, String backupUrl, String metrics) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                %s
                providers:
                  primary: {type: openai, base_url: "%s", api_keys: ["%s", "%s"], breaker: {failures: 3, cooldown_ms: 600000}}
                  backup: {type: openai, base_url: "%s", api_key: "sk-metrics-backup-key"}
                models:
                  m:
                    retries: {count: 0}
                    providers:
                      primary: {priority: 0, model_id: p-model}
                      backup: {priority: 1, model_id: b-model}
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        metrics,
                        primaryUrl,
                        PROVIDER_KEY_1,
                        PROVIDER_KEY_2,
                        backupUrl);
    }

    static Scrape scrape(ProxyHarness proxy) throws Exception {
        HttpResponse<String> r = proxy.call("GET", "/metrics", null);
        assertEquals(200, r.statusCode(), r.body());
        return new Scrape(r.body());
    }

    /** An OpenAI-shaped error with this status and code. */
    static void refused(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertError(r.body(), "invalid_request_error", code, null);
    }

    @Test
    void servedWithoutAKeyInTheTextFormatWithTheGaugesAndNoSecret() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.startYaml(yaml("http://127.0.0.1:9", "http://127.0.0.1:9", ""))) {
            HttpResponse<String> r = proxy.call("GET", "/metrics", null);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    "text/plain; version=0.0.4; charset=utf-8",
                    r.headers().firstValue("content-type").orElse(null));
            Scrape s = new Scrape(r.body());
            assertTrue(r.body().contains("# TYPE token_usage_total counter"), r.body());
            assertEquals(0, s.value("token_usage_total{direction=\"input\",provider=\"primary\"}"));
            assertTrue(s.has("aigw_failovers_total{provider=\"backup\"}"), "shown at zero from the start");
            assertEquals(1, s.value("aigw_breaker_state{deployment=\"m@primary\",state=\"closed\"}"));
            assertEquals(0, s.value("aigw_breaker_state{deployment=\"m@primary\",state=\"open\"}"));
            assertEquals(1, s.value("aigw_provider_key_state{key_index=\"1\",provider=\"primary\",state=\"usable\"}"));
            assertTrue(s.value("aigw_client_connections") >= 1, "this scrape's own connection");
            assertTrue(s.has("aigw_requests_in_flight"));
            assertTrue(s.has("aigw_request_log_rows_total{outcome=\"written\"}"), r.body());
            assertTrue(s.has("aigw_request_log_queue_depth"));
            assertTrue(s.has("aigw_netty_allocator_used_bytes{type=\"direct\"}"), r.body());
            assertTrue(s.sum("jvm_memory_used_bytes") > 0, "JVM metrics");
            assertTrue(s.has("jvm_gc_collection_seconds_count{gc=\"G1 Young Generation\"}")
                    || r.body().contains("jvm_gc_collection_seconds"));
            for (String secret :
                    new String[] {PROVIDER_KEY_1, PROVIDER_KEY_2, "sk-metrics-backup-key", ProxyHarness.KEY}) {
                assertFalse(r.body().contains(secret), "a key in the scrape");
            }
        }
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.startYaml(yaml("http://127.0.0.1:9", "http://127.0.0.1:9", ""))) {
            HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/metrics")))
                    .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;q=0.5")
                    .GET()
                    .build());
            assertEquals(200, r.statusCode());
            assertTrue(
                    r.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"),
                    r.headers().toString());
            assertTrue(r.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            assertTrue(r.body().contains("# TYPE token_usage counter"), "OpenMetrics names the counter family");
        }
    }

    @Test
    void withAuthAdminOnlyTheAdminKeyScrapes() throws Exception {
        try (ProxyHarness proxy =
                ProxyHarness.startYaml(yaml("http://127.0.0.1:9", "http://127.0.0.1:9", "metrics: {auth: admin}"))) {
            refused(proxy.call("GET", "/metrics", null), 401, "invalid_api_key");
            refused(proxy.call("GET", "/metrics", ProxyHarness.KEY), 401, "invalid_api_key");
            HttpResponse<String> r = proxy.adminGet("/metrics");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("token_usage_total"));
            assertEquals(200, proxy.call("GET", "/health", null).statusCode(), "health stays open");
        }
    }

    @Test
    void anotherPathAndOff() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.startYaml(
                yaml("http://127.0.0.1:9", "http://127.0.0.1:9", "metrics: {path: /internal/metrics}"))) {
            assertEquals(200, proxy.call("GET", "/internal/metrics", null).statusCode());
            refused(proxy.call("GET", "/metrics", ProxyHarness.KEY), 404, "unknown_url");
        }
        try (ProxyHarness proxy =
                ProxyHarness.startYaml(yaml("http://127.0.0.1:9", "http://127.0.0.1:9", "metrics: {enabled: false}"))) {
            refused(proxy.call("GET", "/metrics", null), 401, "invalid_api_key");
            refused(proxy.call("GET", "/metrics", ProxyHarness.KEY), 404, "unknown_url");
        }
    }

    /**
     * {@code promtool check metrics} (Debian's prometheus package) finds nothing to say about a
     * scrape taken after traffic. Without promtool the test is skipped, except under CI, which must
     * have it (scripts/test.sh installs it).
     */
    @Test
    void promtoolFindsNothingWrongWithAScrapeAfterTraffic() throws Exception {
        String promtool = Promtool.path();
        if (promtool == null) {
            assertFalse("true".equals(System.getenv("CI")), "promtool is missing under CI");
            Assumptions.abort("promtool is not installed (apt-get install prometheus)");
        }
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(primary.baseUrl(), backup.baseUrl(), ""))) {
            primary.setDefault(req -> Reply.json(500, "{\"error\":{\"message\":\"down\"}}"));
            backup.setDefault(req -> Reply.json(200, FailoverIT.OK));
            for (int i = 0; i < 3; i++) {
                proxy.post("/v1/chat/completions", FailoverIT.CHAT);
                proxy.post("/v1/chat/completions", "{}");
            }
            proxy.call("GET", "/v1/models", ProxyHarness.KEY);
            // promtool reads the Prometheus text format (it has no parser for OpenMetrics' info type).
            HttpResponse<String> r = proxy.call("GET", "/metrics", null);
            assertEquals(200, r.statusCode());
            Promtool.Result check = Promtool.checkMetrics(promtool, r.body());
            assertEquals(0, check.exitCode(), check.output());
            assertEquals("", check.output().strip(), "promtool's findings");
        }
    }

    @Test
    void theBreakerGaugeFollowsAProviderGoingDownAndComingBack() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(primary.baseUrl(), backup.baseUrl(), ""), time)) {
            backup.setDefault(req -> Reply.json(200, FailoverIT.OK));
            primary.setDefault(req -> Reply.json(500, "{\"error\":{\"message\":\"down\"}}"));
            String closed = "aigw_breaker_state{deployment=\"m@primary\",state=\"closed\"}";
            String open = "aigw_breaker_state{deployment=\"m@primary\",state=\"open\"}";
            assertEquals(1, scrape(proxy).value(closed));
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        200, proxy.post("/v1/chat/completions", FailoverIT.CHAT).statusCode());
            }
            Scrape down = scrape(proxy);
            assertEquals(1, down.value(open), down.text());
            assertEquals(0, down.value(closed));
            assertEquals(1, down.value("aigw_breaker_state{deployment=\"m@backup\",state=\"closed\"}"));

            time.advance(Duration.ofSeconds(600));
            assertEquals(
                    1,
                    scrape(proxy).value("aigw_breaker_state{deployment=\"m@primary\",state=\"half_open\"}"),
                    "after the cooldown");
            primary.setDefault(req -> Reply.json(200, FailoverIT.OK));
            assertEquals(
                    200, proxy.post("/v1/chat/completions", FailoverIT.CHAT).statusCode());
            Scrape up = scrape(proxy);
            assertEquals(1, up.value(closed), up.text());
            assertEquals(0, up.value(open));
        }
    }
}
