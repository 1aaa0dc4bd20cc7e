package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.metrics.Scrape;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * N requests of each kind through the real server (plain, stream, client error, provider error,
 * failover): the scraped counters, histograms and gauges agree with N exactly.
 */
class MetricsTrafficIT {
    private static final int N = 4;
    private static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"up\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}";
    private static final String CHUNK = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"Hel\"},\"finish_reason\":\"stop\"}]}";
    private static final String USAGE = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
    private static final String DOWN = "{\"error\":{\"message\":\"down\",\"type\":\"server_error\"}}";

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    }

    private static Reply primary(RecordedRequest req) {
        String body = req.bodyUtf8();
        if (body.contains("\"model\":\"fail\"")) {
            return Reply.json(500, DOWN);
        }
        return body.contains("\"stream\":true") ? Reply.sse(List.of(CHUNK, USAGE)) : Reply.json(200, ANSWER);
    }

    /** Scrapes until the figures settle (an exchange completes when its last write is done). */
    private static Scrape scrapeUntil(ProxyHarness proxy, Predicate<Scrape> settled) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Scrape s = MetricsIT.scrape(proxy);
        while (!settled.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = MetricsIT.scrape(proxy);
        }
        return s;
    }

    @Test
    void countsAgreeWithTheTrafficSent() throws Exception {
        try (TestUpstream p = TestUpstream.start();
                TestUpstream b = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml("""
                        server: {host: 127.0.0.1, port: 0}
                        auth: {api_keys: ["%s"]}
                        upstream: {breaker: {failures: 1000}}
                        providers:
                          primary: {type: openai, base_url: "%s", api_key: sk-traffic-primary-key}
                          backup: {type: openai, base_url: "%s", api_key: sk-traffic-backup-key}
                        models:
                          plain:
                            retries: {count: 0}
                            providers: {primary: {model_id: ok}}
                          broken:
                            retries: {count: 0}
                            providers: {primary: {model_id: fail}}
                          flaky:
                            retries: {count: 0}
                            providers:
                              primary: {priority: 0, model_id: fail}
                              backup: {priority: 1, model_id: ok}
                        """.formatted(ProxyHarness.KEY, p.baseUrl(), b.baseUrl()))) {
            p.setDefault(MetricsTrafficIT::primary);
            b.setDefault(MetricsTrafficIT::primary);
            int providerStatus = 0;
            for (int i = 0; i < N; i++) {
                assertEquals(
                        200,
                        proxy.post("/v1/chat/completions", chat("plain", false)).statusCode());
                HttpResponse<String> stream = proxy.post("/v1/chat/completions", chat("plain", true));
                assertEquals(200, stream.statusCode());
                assertTrue(stream.body().contains("[DONE]"));
                assertEquals(
                        400, proxy.post("/v1/chat/completions", "{not json").statusCode());
                providerStatus = proxy.post("/v1/chat/completions", chat("broken", false))
                        .statusCode();
                assertTrue(providerStatus >= 500, "a provider error: " + providerStatus);
                assertEquals(
                        200,
                        proxy.post("/v1/chat/completions", chat("flaky", false)).statusCode());
            }
            String chatEndpoint = "endpoint=\"/v1/chat/completions\"";
            String ok = "requests_total{" + chatEndpoint + ",provider=\"primary\",status_code=\"200\"}";
            Scrape s = scrapeUntil(proxy, x -> x.sum("requests_total{" + chatEndpoint) >= 5 * N);

            assertEquals(2 * N, s.value(ok), s.text());
            assertEquals(N, s.value(ok.replace("primary", "backup")));
            assertEquals(N, s.value(ok.replace("primary", "none").replace("200", "400")));
            assertEquals(N, s.value(ok.replace("200", Integer.toString(providerStatus))));
            assertEquals(5 * N, s.sum("requests_total{" + chatEndpoint));
            assertEquals(3 * N, s.value("request_latency_seconds_count{" + chatEndpoint + ",provider=\"primary\"}"));
            assertEquals(N, s.value("request_latency_seconds_count{" + chatEndpoint + ",provider=\"backup\"}"));
            assertEquals(
                    N * (11 + 5), s.value("token_usage_total{direction=\"input\",provider=\"primary\"}"), s.text());
            assertEquals(N * (3 + 2), s.value("token_usage_total{direction=\"output\",provider=\"primary\"}"));
            assertEquals(N * 11, s.value("token_usage_total{direction=\"input\",provider=\"backup\"}"));

            // The broken route's 500 is relayed (its last deployment): an answered attempt, as the seam defines it.
            assertEquals(3 * N, s.value("aigw_upstream_attempts_total{outcome=\"answered\",provider=\"primary\"}"));
            assertEquals(N, s.value("aigw_upstream_attempts_total{outcome=\"status\",provider=\"primary\"}"));
            assertEquals(N, s.value("aigw_upstream_attempts_total{outcome=\"answered\",provider=\"backup\"}"));
            assertEquals(5 * N, s.sum("aigw_upstream_attempts_total{"), s.text());
            assertEquals(N, s.value("aigw_failovers_total{provider=\"primary\"}"));
            assertEquals(0, s.value("aigw_retries_total{provider=\"primary\"}"));
            assertEquals(1, s.value("aigw_requests_in_flight"), "the scrape itself");
            assertEquals(0, s.value("aigw_streams_in_flight"));
            String origin = "origin=\"http://127.0.0.1:" + p.port() + "\"";
            assertEquals(0, s.value("aigw_upstream_pool_connections{" + origin + ",state=\"active\"}"), s.text());
            assertTrue(s.value("aigw_upstream_pool_connections{" + origin + ",state=\"idle\"}") >= 1, s.text());
            assertEquals(0, s.value("aigw_upstream_pool_pending_acquires{" + origin + "}"));

            String plain = "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
                    + "gen_ai_request_model=\"plain\",gen_ai_response_model=\"ok\"";
            assertEquals(2 * N, s.value("gen_ai_server_request_duration_seconds_count{" + plain + "}"));
            assertEquals(N, s.value("gen_ai_server_time_to_first_token_seconds_count{" + plain + "}"));
            assertEquals(2 * N, s.value("gen_ai_client_token_usage_count{" + plain + ",gen_ai_token_type=\"input\"}"));
            assertEquals(
                    N * (11 + 5), s.value("gen_ai_client_token_usage_sum{" + plain + ",gen_ai_token_type=\"input\"}"));
            assertEquals(
                    N,
                    s.value(
                            "gen_ai_server_request_duration_seconds_count{gen_ai_operation_name=\"chat\","
                                    + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"flaky\",gen_ai_response_model=\"ok\"}"));
            assertEquals(5 * N, s.value("aigw_overhead_seconds_count{" + chatEndpoint + "}"));
        }
    }
}
