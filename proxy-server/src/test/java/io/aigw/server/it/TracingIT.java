package io.aigw.server.it;

import static io.aigw.server.testing.OtlpReceiver.attr;
import static io.aigw.server.testing.OtlpReceiver.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.metrics.Scrape;
import io.aigw.server.testing.OtlpReceiver;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Traces through the real server: the span tree a collector gets, and the context each provider saw. */
class TracingIT {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String CHAT =
            "{\"model\":\"m\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String ANSWER =
            "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"b-model\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ProxyHarness proxy(String primaryUrl, String backupUrl, String tracingYaml) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                %s
                providers:
                  primary: {type: openai, base_url: "%s", api_key: sk-primary-provider-key}
                  backup: {type: openai, base_url: "%s", api_key: sk-backup-provider-key}
                models:
                  m:
                    retries: {count: 0}
                    providers:
                      primary: {priority: 0, model_id: p-model}
                      backup: {priority: 1, model_id: b-model}
                """.formatted(ProxyHarness.KEY, tracingYaml, primaryUrl, backupUrl));
    }

    private static HttpResponse<String> chat(ProxyHarness proxy, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("Content-Type", "application/json")
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(CHAT));
        if (traceparent != null) {
            b.header("traceparent", traceparent).header("tracestate", "vendor=abc");
        }
        return proxy.send(b.build());
    }

    @Test
    void aFailoverIsOneTraceUnderTheClientsSpanAndEachProviderSawItsAttempt() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
                TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start()) {
            primary.enqueue(Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
            backup.enqueue(Reply.json(200, ANSWER));
            try (ProxyHarness proxy = proxy(
                    primary.baseUrl(),
                    backup.baseUrl(),
                    "tracing: {otlp_endpoint: \"" + collector.endpoint() + "\", service_name: aigw-it}")) {
                HttpResponse<String> r = chat(proxy, "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");
                assertEquals(200, r.statusCode(), r.body());

                List<Span> spans = collector.await(3, s -> hex(s.getTraceId()).equals(CLIENT_TRACE), WAIT);
                assertEquals(3, spans.size(), spans.toString());
                Span server = spans.stream()
                        .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                        .findFirst()
                        .orElseThrow();
                assertEquals(CLIENT_SPAN, hex(server.getParentSpanId()), "the client's span is the parent");
                assertEquals("chat m", server.getName());
                assertEquals("chat", attr(server, "gen_ai.operation.name"));
                assertEquals("openai", attr(server, "gen_ai.provider.name"));
                assertEquals("m", attr(server, "gen_ai.request.model"));
                assertEquals("b-model", attr(server, "gen_ai.response.model"));
                assertEquals("50", attr(server, "gen_ai.request.max_tokens"));
                assertEquals("3", attr(server, "gen_ai.usage.input_tokens"));
                assertEquals("2", attr(server, "gen_ai.usage.output_tokens"));
                assertEquals("200", attr(server, "http.response.status_code"));
                assertNull(attr(server, "gen_ai.input.messages"), "no content unless capture_content");
                assertNull(attr(server, "gen_ai.output.messages"), "no content unless capture_content");
                assertEquals(1, server.getEventsCount(), "a failover event");
                assertEquals("aigw.failover", server.getEvents(0).getName());

                List<Span> attempts = spans.stream()
                        .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                        .sorted((a, b) -> Long.compare(a.getStartTimeUnixNano(), b.getStartTimeUnixNano()))
                        .toList();
                assertEquals(2, attempts.size());
                for (Span a : attempts) {
                    assertEquals(hex(server.getSpanId()), hex(a.getParentSpanId()), "siblings under SERVER");
                }
                assertEquals("chat p-model", attempts.get(0).getName());
                assertEquals("503", attr(attempts.get(0), "http.response.status_code"));
                assertEquals("status", attr(attempts.get(0), "error.type"));
                assertEquals("chat b-model", attempts.get(1).getName());
                assertEquals("200", attr(attempts.get(1), "http.response.status_code"));
                assertEquals("127.0.0.1", attr(attempts.get(1), "server.address"));

                RecordedRequest first = primary.takeRequest(WAIT);
                RecordedRequest second = backup.takeRequest(WAIT);
                assertEquals(
                        "00-" + CLIENT_TRACE + "-" + hex(attempts.get(0).getSpanId()) + "-01",
                        first.header("traceparent"));
                assertEquals(
                        "00-" + CLIENT_TRACE + "-" + hex(attempts.get(1).getSpanId()) + "-01",
                        second.header("traceparent"));
                assertEquals("vendor=abc", second.header("tracestate"));
            }
        }
    }

    @Test
    void withCaptureContentTheServerSpanCarriesTheRequestAndTheAnswer() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
                TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start()) {
            primary.enqueue(Reply.json(200, ANSWER));
            try (ProxyHarness proxy = proxy(
                    primary.baseUrl(),
                    backup.baseUrl(),
                    "tracing: {otlp_endpoint: \"" + collector.endpoint() + "\", capture_content: true}")) {
                assertEquals(
                        200,
                        chat(proxy, "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01")
                                .statusCode());
                Span server = collector.await(2, s -> hex(s.getTraceId()).equals(CLIENT_TRACE), WAIT).stream()
                        .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                        .findFirst()
                        .orElseThrow();
                assertEquals(CHAT, attr(server, "gen_ai.input.messages"));
                assertEquals(ANSWER, attr(server, "gen_ai.output.messages"));
            }
        }
    }

    @Test
    void withTracingOffTheProviderStillGetsTheTrace() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start()) {
            primary.enqueue(Reply.json(200, ANSWER));
            try (ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl(), "")) {
                assertEquals(
                        200,
                        chat(proxy, "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01")
                                .statusCode());
                String sent = primary.takeRequest(WAIT).header("traceparent");
                assertNotNull(sent);
                assertTrue(sent.matches("00-" + CLIENT_TRACE + "-[0-9a-f]{16}-01"), sent);
                assertTrue(!sent.contains(CLIENT_SPAN), "the attempt's own span id, not the client's: " + sent);
            }
        }
    }

    @Test
    void aDeadCollectorLeavesRequestsAloneAndMovesTheDropCounter() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start()) {
            primary.setDefault(req -> Reply.json(200, ANSWER));
            try (ProxyHarness proxy = proxy(
                    primary.baseUrl(),
                    backup.baseUrl(),
                    "tracing: {otlp_endpoint: \"http://127.0.0.1:" + deadPort + "/v1/traces\"}")) {
                for (int i = 0; i < 5; i++) {
                    assertEquals(200, chat(proxy, null).statusCode());
                }
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (proxy.server().tracing().droppedSpans() < 10 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(10, proxy.server().tracing().droppedSpans(), "5 SERVER + 5 CLIENT spans lost");
                HttpResponse<String> metrics = proxy.call("GET", "/metrics", null);
                Scrape scrape = new Scrape(metrics.body());
                assertEquals(10.0, scrape.value("aigw_trace_spans_total{outcome=\"dropped\"}"), metrics.body());
                assertEquals(0.0, scrape.value("aigw_trace_spans_total{outcome=\"exported\"}"));
            }
        }
    }
}
