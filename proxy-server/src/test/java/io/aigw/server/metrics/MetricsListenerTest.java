package io.aigw.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.Usage;
import io.aigw.core.routing.FailureClass;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.http.Exchange;
import io.netty.handler.codec.http.HttpMethod;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The listener over scripted exchanges: each event in lifecycle order, then the scrape's figures. */
class MetricsListenerTest {
    private static final long MS = 1_000_000L;
    private static final String CHAT = "/v1/chat/completions";

    private final ProxyConfig config;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricsListener listener;

    MetricsListenerTest() throws Exception {
        config = new ConfigLoader(Set.of("openai", "anthropic"), Map.of()).parse("""
                providers:
                  primary: {type: openai, base_url: "http://127.0.0.1:9", api_key: sk-unit-primary-key}
                  backup: {type: anthropic, base_url: "http://127.0.0.1:9", api_key: sk-unit-backup-key}
                models:
                  m:
                    providers:
                      primary: {priority: 0, model_id: p-model}
                      backup: {priority: 1, model_id: b-model}
                  "open/*":
                    providers:
                      primary: {}
                """, "test.yaml");
        listener = new MetricsListener(config, registry);
    }

    private Scrape scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return new Scrape(out.toString(StandardCharsets.UTF_8));
    }

    private static Exchange exchange(String route, boolean stream) {
        Exchange e = new Exchange("req", 0, HttpMethod.POST, CHAT);
        e.endpoint(ApiEndpoint.CHAT_COMPLETIONS);
        e.routeName(route);
        e.requestedModel(route == null ? "whatever-a-client-sent" : route);
        e.stream(stream);
        return e;
    }

    private Attempt attempt(Exchange e, String provider, long start) {
        Attempt a = new Attempt(
                e.attempts().size() + 1, e.routeName() + "@" + provider, provider, "openai", "id", 0, "h", start);
        e.addAttempt(a);
        listener.attemptStarted(e, a);
        return a;
    }

    private void end(Exchange e, Attempt a, long at, Attempt.Outcome outcome, FailureClass failure) {
        a.end(at, outcome, failure, null);
        listener.attemptEnded(e, a);
    }

    private void complete(Exchange e, int status, Usage usage, long at) {
        e.statusCode(status);
        e.usage(usage);
        e.end(at);
        listener.completed(e);
    }

    /** A plain answer: 100 ms upstream inside a 110 ms exchange. */
    private void plain(String route, String provider) {
        Exchange e = exchange(route, false);
        listener.started(e);
        Attempt a = attempt(e, provider, 5 * MS);
        end(e, a, 105 * MS, Attempt.Outcome.ANSWERED, null);
        e.firstByteToClient(106 * MS);
        listener.firstByteToClient(e);
        complete(e, 200, new Usage(10, 5, 15, -1), 110 * MS);
    }

    /** A plain answer with this cost on the exchange (NaN: unknown). */
    private void costed(String route, String provider, double costUsd) {
        Exchange e = exchange(route, false);
        listener.started(e);
        Attempt a = attempt(e, provider, 5 * MS);
        end(e, a, 105 * MS, Attempt.Outcome.ANSWERED, null);
        e.costUsd(costUsd);
        complete(e, 200, new Usage(10, 5, 15, -1), 110 * MS);
    }

    @Test
    void costIsSummedByProviderAndRouteAndUnknownAddsNothing() throws Exception {
        Scrape before = scrape();
        assertEquals(0, before.value("aigw_cost_usd_total{model=\"m\",provider=\"backup\"}"), "shown from the start");
        assertEquals(0, before.value("aigw_cost_usd_total{model=\"open/*\",provider=\"primary\"}"));
        costed("m", "primary", 0.0125);
        costed("m", "primary", 0.0000375);
        costed("m", "backup", 1.5);
        costed("m", "primary", Double.NaN);
        costed("open/*", "primary", 0.25);
        Scrape s = scrape();
        assertEquals(0.0125 + 0.0000375, s.value("aigw_cost_usd_total{model=\"m\",provider=\"primary\"}"), 1e-15);
        assertEquals(1.5, s.value("aigw_cost_usd_total{model=\"m\",provider=\"backup\"}"), 1e-15);
        assertEquals(0.25, s.value("aigw_cost_usd_total{model=\"open/*\",provider=\"primary\"}"), 1e-15);
    }

    @Test
    void countsAndHistogramsAgreeWithTheScriptedTraffic() throws Exception {
        for (int i = 0; i < 3; i++) {
            plain("m", "primary");
        }
        // Two streams; the in-flight gauges see the first while it runs.
        for (int i = 0; i < 2; i++) {
            Exchange e = exchange("m", true);
            listener.started(e);
            Attempt a = attempt(e, "primary", 1 * MS);
            e.firstByteToClient(51 * MS);
            listener.firstByteToClient(e);
            if (i == 0) {
                Scrape during = scrape();
                assertEquals(1, during.value("aigw_requests_in_flight"));
                assertEquals(1, during.value("aigw_streams_in_flight"));
            }
            end(e, a, 900 * MS, Attempt.Outcome.ANSWERED, null);
            complete(e, 200, new Usage(7, 30, 37, -1), 901 * MS);
        }
        // A client error: no route, no attempt.
        Exchange bad = exchange(null, false);
        listener.started(bad);
        complete(bad, 400, Usage.NONE, 1 * MS);
        // A provider error relayed: one failed attempt.
        Exchange failed = exchange("m", false);
        listener.started(failed);
        end(failed, attempt(failed, "primary", 0), 20 * MS, Attempt.Outcome.FAILED, FailureClass.STATUS);
        complete(failed, 502, Usage.NONE, 21 * MS);
        // A failover: primary refuses the connection, backup answers.
        Exchange over = exchange("m", false);
        listener.started(over);
        end(over, attempt(over, "primary", 0), 2 * MS, Attempt.Outcome.FAILED, FailureClass.CONNECT_ERROR);
        end(over, attempt(over, "backup", 3 * MS), 50 * MS, Attempt.Outcome.ANSWERED, null);
        complete(over, 200, new Usage(4, 2, 6, -1), 51 * MS);
        // A retry of the same deployment.
        Exchange again = exchange("m", false);
        listener.started(again);
        end(again, attempt(again, "primary", 0), 2 * MS, Attempt.Outcome.FAILED, FailureClass.TIMEOUT);
        end(again, attempt(again, "primary", 3 * MS), 50 * MS, Attempt.Outcome.ANSWERED, null);
        complete(again, 200, new Usage(1, 1, 2, -1), 51 * MS);
        // A wildcard route: labelled by its pattern, never the requested name.
        plain("open/*", "primary");

        Scrape s = scrape();
        String ok = "requests_total{endpoint=\"/v1/chat/completions\",provider=\"primary\",status_code=\"200\"}";
        assertEquals(3 + 2 + 1 + 1, s.value(ok), s.text());
        assertEquals(1, s.value(ok.replace("primary", "backup")));
        assertEquals(1, s.value(ok.replace("primary", "none").replace("200", "400")));
        assertEquals(1, s.value(ok.replace("200", "502")));
        assertEquals(10, s.sum("requests_total{"));
        assertEquals(
                8, s.value("request_latency_seconds_count{endpoint=\"/v1/chat/completions\",provider=\"primary\"}"));
        assertEquals(
                2,
                s.value(
                        "request_latency_seconds_bucket{endpoint=\"/v1/chat/completions\",provider=\"primary\",le=\"0.1\"}"),
                "the 21 ms error and the 51 ms retry");
        assertEquals(10 * 4 + 7 * 2 + 1, s.value("token_usage_total{direction=\"input\",provider=\"primary\"}"));
        assertEquals(5 * 4 + 30 * 2 + 1, s.value("token_usage_total{direction=\"output\",provider=\"primary\"}"));
        assertEquals(4, s.value("token_usage_total{direction=\"input\",provider=\"backup\"}"));

        assertEquals(7, s.value("aigw_upstream_attempts_total{outcome=\"answered\",provider=\"primary\"}"));
        assertEquals(1, s.value("aigw_upstream_attempts_total{outcome=\"answered\",provider=\"backup\"}"));
        assertEquals(1, s.value("aigw_upstream_attempts_total{outcome=\"status\",provider=\"primary\"}"));
        assertEquals(1, s.value("aigw_upstream_attempts_total{outcome=\"connect_error\",provider=\"primary\"}"));
        assertEquals(1, s.value("aigw_upstream_attempts_total{outcome=\"timeout\",provider=\"primary\"}"));
        assertEquals(1, s.value("aigw_failovers_total{provider=\"primary\"}"));
        assertEquals(1, s.value("aigw_retries_total{provider=\"primary\"}"));
        assertEquals(0, s.value("aigw_requests_in_flight"));
        assertEquals(0, s.value("aigw_streams_in_flight"));

        String genAi = "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
                + "gen_ai_request_model=\"m\",gen_ai_response_model=\"p-model\"";
        assertEquals(3 + 2 + 1 + 1, s.value("gen_ai_server_request_duration_seconds_count{" + genAi + "}"), s.text());
        assertEquals(2, s.value("gen_ai_server_time_to_first_token_seconds_count{" + genAi + "}"));
        assertEquals(2 * 0.051, s.value("gen_ai_server_time_to_first_token_seconds_sum{" + genAi + "}"), 1e-9);
        assertEquals(
                6, s.value("gen_ai_client_token_usage_count{" + genAi + ",gen_ai_token_type=\"input\"}"), s.text());
        assertEquals(
                10 * 3 + 7 * 2 + 1,
                s.value("gen_ai_client_token_usage_sum{" + genAi + ",gen_ai_token_type=\"input\"}"));
        assertEquals(
                1,
                s.value(
                        "gen_ai_server_request_duration_seconds_count{gen_ai_operation_name=\"chat\","
                                + "gen_ai_provider_name=\"anthropic\",gen_ai_request_model=\"m\",gen_ai_response_model=\"b-model\"}"));
        assertEquals(
                1,
                s.value(
                        "gen_ai_server_request_duration_seconds_count{gen_ai_operation_name=\"chat\","
                                + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"open/*\",gen_ai_response_model=\"open/*\"}"));
        assertFalse(s.text().contains("whatever-a-client-sent"), "no label from a request");
        assertFalse(s.text().contains("sk-unit"), "no key");

        // Overhead: exchange time minus attempt time. Plain: 110 - 100 = 10 ms; streams 901 - 899 = 2 ms; the
        // client error 1 ms (no attempt); the others 1 or 2 ms.
        assertEquals(10, s.value("aigw_overhead_seconds_count{endpoint=\"/v1/chat/completions\"}"));
        assertEquals(
                4 * 0.010 + 2 * 0.002 + 0.001 + 0.001 + (51 - 49) / 1000.0 + (51 - 49) / 1000.0,
                s.value("aigw_overhead_seconds_sum{endpoint=\"/v1/chat/completions\"}"),
                1e-9);
    }

    @Test
    void aWarmListenerAllocatesNothingPerExchange() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Exchange e = exchange("m", true);
        Attempt a = new Attempt(1, "m@primary", "primary", "openai", "p-model", 0, "h", 1 * MS);
        e.addAttempt(a);
        a.end(90 * MS, Attempt.Outcome.ANSWERED, null, null);
        e.firstByteToClient(50 * MS);
        e.statusCode(200);
        e.usage(new Usage(10, 5, 15, -1));
        e.end(100 * MS);
        Runnable one = () -> {
            listener.started(e);
            listener.attemptStarted(e, a);
            listener.attemptEnded(e, a);
            listener.firstByteToClient(e);
            listener.completed(e);
        };
        for (int i = 0; i < 20_000; i++) {
            one.run(); // warm: label children resolved, code compiled
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 10_000; i++) {
            one.run();
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        // A few hundred bytes of noise (the MXBean's own call) at most; one object per exchange would be 160 kB.
        assertTrue(allocated < 10_000, "allocated " + allocated + " bytes over 10,000 exchanges");
    }
}
