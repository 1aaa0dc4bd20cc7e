package io.aigw.server.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.TracingConfig;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.Usage;
import io.aigw.core.routing.FailureClass;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.exchange.TraceIds;
import io.aigw.server.http.Exchange;
import io.netty.handler.codec.http.HttpMethod;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener over scripted exchanges: the calls the seam makes, in lifecycle order. */
class TracingListenerTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final long MS = 1_000_000L;

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private Tracing tracing;

    @AfterEach
    void close() {
        if (tracing != null) {
            tracing.close();
        }
    }

    private TracingListener listener(double ratio) {
        TracingConfig config =
                new TracingConfig(URI.create("http://127.0.0.1:4318/v1/traces"), ratio, "aigw-test", Map.of(), false);
        tracing = new Tracing(config, exported, Duration.ofMillis(50), 0);
        return tracing.listener();
    }

    private List<SpanData> spans() {
        tracing.flush(); // exports what is queued (closing would clear the in-memory exporter)
        List<SpanData> spans = new java.util.ArrayList<>(exported.getFinishedSpanItems());
        spans.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
        return spans;
    }

    private static Exchange chat(TraceContext trace, long t0) {
        Exchange ex = new Exchange("req-1", t0, HttpMethod.POST, "/v1/chat/completions");
        ex.traceContext(trace);
        ex.endpoint(ApiEndpoint.CHAT_COMPLETIONS);
        ex.requestedModel("gpt-4o-mini");
        ex.routeName("gpt-4o-mini");
        ex.stream(true);
        ex.requestMaxTokens(100);
        ex.requestTemperature(0.5);
        return ex;
    }

    @Test
    void aFailoverIsOneServerSpanUnderTheClientsWithTwoSiblingAttemptSpans() {
        TracingListener l = listener(1.0);
        long t0 = System.nanoTime();
        Exchange ex = chat(new TraceContext(CLIENT_TRACE, CLIENT_SPAN, true, "vendor=abc"), t0);
        l.started(ex);

        Attempt a1 = new Attempt(1, "gpt-4o-mini@primary", "primary", "openai", "gpt-4o-mini", 0, "p.test", t0 + MS);
        ex.addAttempt(a1);
        l.attemptStarted(ex, a1);
        a1.firstByte(t0 + 3 * MS, 503);
        a1.end(t0 + 4 * MS, Attempt.Outcome.FAILED, FailureClass.STATUS, "upstream_error");
        l.attemptEnded(ex, a1);

        Attempt a2 =
                new Attempt(2, "gpt-4o-mini@backup", "backup", "azure", "gpt4o-mini-dep", 1, "b.test", t0 + 5 * MS);
        ex.addAttempt(a2);
        l.attemptStarted(ex, a2);
        a2.firstByte(t0 + 7 * MS, 200);
        a2.end(t0 + 9 * MS, Attempt.Outcome.ANSWERED, null, null);
        l.attemptEnded(ex, a2);

        ex.statusCode(200);
        ex.usage(new Usage(10, 5, 15, -1));
        ex.finishReason("stop");
        ex.firstByteToClient(t0 + 8 * MS);
        l.firstByteToClient(ex);
        ex.end(t0 + 10 * MS);
        l.completed(ex);

        List<SpanData> spans = spans();
        assertEquals(3, spans.size(), spans.toString());
        SpanData server = spans.get(0);
        SpanData first = spans.get(1);
        SpanData second = spans.get(2);

        assertEquals(SpanKind.SERVER, server.getKind());
        assertEquals("chat gpt-4o-mini", server.getName());
        assertEquals(CLIENT_TRACE, server.getTraceId());
        assertEquals(CLIENT_SPAN, server.getParentSpanId());
        assertEquals("abc", server.getSpanContext().getTraceState().get("vendor"));
        assertEquals(10 * MS, server.getEndEpochNanos() - server.getStartEpochNanos(), "the exchange's own times");
        assertEquals("chat", attr(server, "gen_ai.operation.name"));
        assertEquals("azure.ai.openai", attr(server, "gen_ai.provider.name"));
        assertEquals("gpt-4o-mini", attr(server, "gen_ai.request.model"));
        assertEquals("gpt4o-mini-dep", attr(server, "gen_ai.response.model"));
        assertEquals(100L, server.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens")));
        assertEquals(0.5, server.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.temperature")));
        assertEquals(true, server.getAttributes().get(AttributeKey.booleanKey("gen_ai.request.stream")));
        assertEquals(10L, server.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
        assertEquals(5L, server.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
        assertEquals(
                List.of("stop"),
                server.getAttributes().get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));
        assertEquals(200L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("b.test", attr(server, "server.address"));
        assertNull(attr(server, "error.type"));
        assertEquals(StatusCode.UNSET, server.getStatus().getStatusCode());
        assertEquals("aigw-test", server.getResource().getAttribute(AttributeKey.stringKey("service.name")));

        List<EventData> events = server.getEvents();
        assertEquals(1, events.size(), events.toString());
        assertEquals(TracingListener.FAILOVER_EVENT, events.get(0).getName());
        assertEquals(2L, events.get(0).getAttributes().get(AttributeKey.longKey("aigw.attempt.number")));
        assertEquals("status", events.get(0).getAttributes().get(AttributeKey.stringKey("aigw.previous.error.type")));

        for (SpanData attempt : List.of(first, second)) {
            assertEquals(SpanKind.CLIENT, attempt.getKind());
            assertEquals(CLIENT_TRACE, attempt.getTraceId());
            assertEquals(server.getSpanId(), attempt.getParentSpanId(), "siblings under the SERVER span");
        }
        assertEquals(a1.spanId(), first.getSpanId(), "the span id the provider was sent");
        assertEquals(a2.spanId(), second.getSpanId());
        assertEquals("chat gpt-4o-mini", first.getName());
        assertEquals("chat gpt4o-mini-dep", second.getName());
        assertEquals(3 * MS, first.getEndEpochNanos() - first.getStartEpochNanos());
        assertEquals(server.getStartEpochNanos() + MS, first.getStartEpochNanos());
        assertEquals("openai", attr(first, "gen_ai.provider.name"));
        assertEquals("p.test", attr(first, "server.address"));
        assertEquals(503L, first.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("status", attr(first, "error.type"));
        assertEquals("failed", attr(first, "aigw.attempt.outcome"));
        assertEquals(StatusCode.ERROR, first.getStatus().getStatusCode());
        assertEquals(1L, first.getAttributes().get(AttributeKey.longKey("aigw.attempt.number")));
        assertEquals("answered", attr(second, "aigw.attempt.outcome"));
        assertEquals(2L, second.getAttributes().get(AttributeKey.longKey("aigw.attempt.number")));
        assertNull(attr(second, "error.type"));
    }

    @Test
    void aRetryOnTheSameDeploymentIsAnEventToo() {
        TracingListener l = listener(1.0);
        long t0 = System.nanoTime();
        Exchange ex = chat(TraceContext(), t0);
        l.started(ex);
        for (int n = 1; n <= 2; n++) {
            Attempt a = new Attempt(n, "m@p", "p", "openai", "m", 0, "p.test", t0 + n * MS);
            ex.addAttempt(a);
            l.attemptStarted(ex, a);
            a.end(t0 + n * MS + 1, Attempt.Outcome.FAILED, FailureClass.TIMEOUT, "upstream_timeout");
            l.attemptEnded(ex, a);
        }
        ex.statusCode(504);
        ex.error(new ApiError(504, "server_error", "upstream_timeout", null, "timed out"));
        ex.end(t0 + 5 * MS);
        l.completed(ex);
        List<SpanData> spans = spans();
        assertEquals(3, spans.size());
        SpanData server = spans.get(0);
        assertEquals(TracingListener.RETRY_EVENT, server.getEvents().get(0).getName());
        assertEquals("upstream_timeout", attr(server, "error.type"));
        assertEquals(StatusCode.ERROR, server.getStatus().getStatusCode());
        assertEquals("timeout", attr(spans.get(1), "error.type"));
    }

    @Test
    void healthProbesAreNotTraced() {
        TracingListener l = listener(1.0);
        long t0 = System.nanoTime();
        for (String probe : List.of("/health", "/readyz", "/health/readiness")) {
            Exchange ex = new Exchange("req-probe", t0, HttpMethod.GET, probe);
            ex.traceContext(TraceContext());
            l.started(ex);
            ex.end(t0 + MS);
            l.completed(ex);
        }
        Exchange chat = chat(TraceContext(), t0);
        l.started(chat);
        chat.end(t0 + MS);
        l.completed(chat);
        assertEquals(1, spans().size(), "only the chat exchange is a span");
    }

    @Test
    void aTraceThatStartsHereHasTheExchangesTraceIdAndNoParent() {
        TracingListener l = listener(1.0);
        long t0 = System.nanoTime();
        TraceContext trace = TraceContext();
        Exchange ex = chat(trace, t0);
        l.started(ex);
        ex.end(t0 + MS);
        l.completed(ex);
        SpanData server = spans().get(0);
        assertEquals(trace.traceId(), server.getTraceId(), "the request-log row and the trace agree");
        assertFalse(server.getParentSpanContext().isValid());
    }

    @Test
    void anUnsampledExchangeRecordsNothingAndTellsTheProviderSo() {
        TracingListener l = listener(0.0);
        long t0 = System.nanoTime();
        Exchange ex = chat(TraceContext(), t0);
        l.started(ex);
        assertFalse(ex.traceContext().sampled(), "the sampler's decision goes into traceparent's flags");
        Attempt a = new Attempt(1, "m@p", "p", "openai", "m", 0, "p.test", t0);
        ex.addAttempt(a);
        l.attemptStarted(ex, a);
        assertNull(a.state(0), "no span for an attempt of an unsampled exchange");
        assertTrue(TraceIds.traceparent(ex.traceContext(), a.spanId()).endsWith("-00"));
        a.end(t0 + 1, Attempt.Outcome.ANSWERED, null, null);
        l.attemptEnded(ex, a);
        ex.end(t0 + MS);
        l.completed(ex);
        assertEquals(List.of(), spans());
    }

    @Test
    void aClientsUnsampledParentIsHonoured() {
        TracingListener l = listener(1.0);
        long t0 = System.nanoTime();
        Exchange ex = chat(new TraceContext(CLIENT_TRACE, CLIENT_SPAN, false, null), t0);
        l.started(ex);
        ex.end(t0 + MS);
        l.completed(ex);
        assertEquals(List.of(), spans());
    }

    @Test
    void anAttemptCutWithTheExchangeStillEnds() {
        TracingListener l = listener(1.0);
        long t0 = System.nanoTime();
        Exchange ex = chat(TraceContext(), t0);
        l.started(ex);
        Attempt a = new Attempt(1, "m@p", "p", "openai", "m", 0, "p.test", t0 + MS);
        ex.addAttempt(a);
        l.attemptStarted(ex, a);
        ex.clientClosed(true);
        ex.statusCode(499);
        ex.end(t0 + 3 * MS);
        l.completed(ex);
        List<SpanData> spans = spans();
        assertEquals(2, spans.size());
        SpanData server = spans.get(0);
        SpanData attempt = spans.get(1);
        assertEquals("cancelled", attr(attempt, "aigw.attempt.outcome"));
        assertEquals(server.getEndEpochNanos(), attempt.getEndEpochNanos(), "closed at the exchange's end");
        assertEquals(true, server.getAttributes().get(AttributeKey.booleanKey("aigw.client_closed")));
    }

    @Test
    void traceparentCarriesTheTraceTheAttemptsSpanAndTheFlags() {
        String spanId = TraceIds.newSpanId();
        assertTrue(spanId.matches("[0-9a-f]{16}") && !spanId.equals("0000000000000000"), spanId);
        assertEquals(
                "00-" + CLIENT_TRACE + "-" + spanId + "-01",
                TraceIds.traceparent(new TraceContext(CLIENT_TRACE, CLIENT_SPAN, true, null), spanId));
    }

    private static TraceContext TraceContext() {
        return new TraceContext("0af7651916cd43dd8448eb211c80319c", null, true, null);
    }

    private static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }
}
