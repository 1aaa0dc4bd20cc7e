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
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener over scripted exchanges: the calls the seam makes, in lifecycle order. */
class TracingListenerTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final long MS = 1_000_000L;

    private final List<Span> exported = new ArrayList<>();
    private final List<ResourceSpans> resources = new ArrayList<>();
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
        tracing = new Tracing(config, this::collect, Duration.ofMillis(50), 0);
        return tracing.listener();
    }

    /** The collector: decodes each batch with the official generated classes. */
    private synchronized int collect(byte[] body, int length) throws java.io.IOException {
        ExportTraceServiceRequest request =
                ExportTraceServiceRequest.parseFrom(com.google.protobuf.CodedInputStream.newInstance(body, 0, length));
        for (ResourceSpans rs : request.getResourceSpansList()) {
            resources.add(rs);
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                assertEquals("io.aigw", ss.getScope().getName());
                exported.addAll(ss.getSpansList());
            }
        }
        return 200;
    }

    private List<Span> spans() {
        tracing.flush();
        List<Span> spans;
        synchronized (this) {
            spans = new ArrayList<>(exported);
        }
        spans.sort(Comparator.comparingLong(Span::getStartTimeUnixNano));
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

        List<Span> spans = spans();
        assertEquals(3, spans.size(), spans.toString());
        Span server = spans.get(0);
        Span first = spans.get(1);
        Span second = spans.get(2);

        assertEquals(SpanKind.SPAN_KIND_SERVER, server.getKind());
        assertEquals("chat gpt-4o-mini", server.getName());
        assertEquals(CLIENT_TRACE, hex(server.getTraceId()));
        assertEquals(CLIENT_SPAN, hex(server.getParentSpanId()));
        assertEquals("vendor=abc", server.getTraceState());
        assertEquals(0x301, server.getFlags(), "sampled, under a remote parent");
        assertEquals(10 * MS, server.getEndTimeUnixNano() - server.getStartTimeUnixNano(), "the exchange's own times");
        assertEquals("chat", attr(server, "gen_ai.operation.name"));
        assertEquals("azure.ai.openai", attr(server, "gen_ai.provider.name"));
        assertEquals("gpt-4o-mini", attr(server, "gen_ai.request.model"));
        assertEquals("gpt4o-mini-dep", attr(server, "gen_ai.response.model"));
        assertEquals(100L, value(server, "gen_ai.request.max_tokens").getIntValue());
        assertEquals(0.5, value(server, "gen_ai.request.temperature").getDoubleValue());
        assertEquals(true, value(server, "gen_ai.request.stream").getBoolValue());
        assertEquals(10L, value(server, "gen_ai.usage.input_tokens").getIntValue());
        assertEquals(5L, value(server, "gen_ai.usage.output_tokens").getIntValue());
        assertEquals(
                List.of("stop"),
                value(server, "gen_ai.response.finish_reasons").getArrayValue().getValuesList().stream()
                        .map(AnyValue::getStringValue)
                        .toList());
        assertEquals(200L, value(server, "http.response.status_code").getIntValue());
        assertEquals("b.test", attr(server, "server.address"));
        assertNull(attr(server, "error.type"));
        assertEquals(StatusCode.STATUS_CODE_UNSET, server.getStatus().getCode());
        assertEquals("aigw-test", string(resources.get(0).getResource().getAttributesList(), "service.name"));

        List<Span.Event> events = server.getEventsList();
        assertEquals(1, events.size(), events.toString());
        assertEquals(OtlpTraceEncoder.FAILOVER_EVENT, events.get(0).getName());
        assertEquals(
                2L,
                value(events.get(0).getAttributesList(), "aigw.attempt.number").getIntValue());
        assertEquals("status", string(events.get(0).getAttributesList(), "aigw.previous.error.type"));

        for (Span attempt : List.of(first, second)) {
            assertEquals(SpanKind.SPAN_KIND_CLIENT, attempt.getKind());
            assertEquals(CLIENT_TRACE, hex(attempt.getTraceId()));
            assertEquals(hex(server.getSpanId()), hex(attempt.getParentSpanId()), "siblings under the SERVER span");
        }
        assertEquals(a1.spanId(), hex(first.getSpanId()), "the span id the provider was sent");
        assertEquals(a2.spanId(), hex(second.getSpanId()));
        assertEquals("chat gpt-4o-mini", first.getName());
        assertEquals("chat gpt4o-mini-dep", second.getName());
        assertEquals(3 * MS, first.getEndTimeUnixNano() - first.getStartTimeUnixNano());
        assertEquals(server.getStartTimeUnixNano() + MS, first.getStartTimeUnixNano());
        assertEquals("openai", attr(first, "gen_ai.provider.name"));
        assertEquals("p.test", attr(first, "server.address"));
        assertEquals(503L, value(first, "http.response.status_code").getIntValue());
        assertEquals("status", attr(first, "error.type"));
        assertEquals("failed", attr(first, "aigw.attempt.outcome"));
        assertEquals(StatusCode.STATUS_CODE_ERROR, first.getStatus().getCode());
        assertEquals(1L, value(first, "aigw.attempt.number").getIntValue());
        assertEquals("answered", attr(second, "aigw.attempt.outcome"));
        assertEquals(2L, value(second, "aigw.attempt.number").getIntValue());
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
        List<Span> spans = spans();
        assertEquals(3, spans.size());
        Span server = spans.get(0);
        assertEquals(OtlpTraceEncoder.RETRY_EVENT, server.getEvents(0).getName());
        assertEquals("upstream_timeout", attr(server, "error.type"));
        assertEquals(StatusCode.STATUS_CODE_ERROR, server.getStatus().getCode());
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
        Span server = spans().get(0);
        assertEquals(trace.traceId(), hex(server.getTraceId()), "the request-log row and the trace agree");
        assertTrue(server.getParentSpanId().isEmpty(), "no parent");
        assertEquals(0x101, server.getFlags(), "sampled; the parent is known not to be remote");
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
        assertTrue(TraceIds.traceparent(ex.traceContext(), a.spanId()).endsWith("-00"));
        a.end(t0 + 1, Attempt.Outcome.ANSWERED, null, null);
        l.attemptEnded(ex, a);
        ex.end(t0 + MS);
        l.completed(ex);
        assertEquals(List.of(), spans());
    }

    @Test
    void aTraceThatStartsHereIsSampledByTheLow64BitsOfItsIdAsTheSdkDoes() {
        TracingListener l = listener(0.25);
        long bound = (long) (0.25 * Long.MAX_VALUE);
        int sampled = 0;
        for (int i = 0; i < 2000; i++) {
            TraceContext trace = TraceContext.newTrace();
            Exchange ex = chat(trace, System.nanoTime());
            l.started(ex);
            long low = Long.parseUnsignedLong(trace.traceId().substring(16), 16);
            assertEquals(Math.abs(low) < bound, ex.traceContext().sampled(), trace.traceId());
            sampled += ex.traceContext().sampled() ? 1 : 0;
        }
        assertTrue(sampled > 350 && sampled < 650, "about a quarter: " + sampled);
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
        List<Span> spans = spans();
        assertEquals(2, spans.size());
        Span server = spans.get(0);
        Span attempt = spans.get(1);
        assertEquals("cancelled", attr(attempt, "aigw.attempt.outcome"));
        assertEquals(server.getEndTimeUnixNano(), attempt.getEndTimeUnixNano(), "closed at the exchange's end");
        assertEquals(true, value(server, "aigw.client_closed").getBoolValue());
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

    private static String attr(Span span, String key) {
        return string(span.getAttributesList(), key);
    }

    private static AnyValue value(Span span, String key) {
        return value(span.getAttributesList(), key);
    }

    private static AnyValue value(List<KeyValue> attributes, String key) {
        AnyValue found = null;
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                assertNull(found, "one " + key);
                found = kv.getValue();
            }
        }
        return found;
    }

    private static String string(List<KeyValue> attributes, String key) {
        AnyValue v = value(attributes, key);
        return v == null ? null : v.getStringValue();
    }

    private static String hex(com.google.protobuf.ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }
}
