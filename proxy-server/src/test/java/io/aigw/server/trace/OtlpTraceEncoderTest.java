package io.aigw.server.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.http.Exchange;
import io.netty.handler.codec.http.HttpMethod;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written protobuf against the official generated classes: what they decode is what we meant. */
class OtlpTraceEncoderTest {
    private static TracedExchange exchange(String input, String output, int attempts) {
        long t0 = 1_000_000L;
        Exchange ex = new Exchange("req-ü", t0, HttpMethod.POST, "/v1/chat/completions");
        ex.traceContext(new TraceContext("0af7651916cd43dd8448eb211c80319c", null, true, null));
        ex.endpoint(ApiEndpoint.CHAT_COMPLETIONS);
        ex.requestedModel("módel-😀");
        ex.capturedInput(input);
        ex.capturedOutput(output);
        for (int i = 1; i <= attempts; i++) {
            Attempt a = new Attempt(i, "m@p", "p", "openai", "m", 0, "p.test", t0 + i);
            a.end(t0 + i + 1, Attempt.Outcome.FAILED, null, null);
            ex.addAttempt(a);
        }
        ex.end(t0 + 100);
        return new TracedExchange(ex, ex.endNanos());
    }

    private static ExportTraceServiceRequest roundTrip(OtlpTraceEncoder encoder, List<TracedExchange> batch)
            throws Exception {
        encoder.encode(batch);
        return ExportTraceServiceRequest.parseFrom(
                com.google.protobuf.CodedInputStream.newInstance(encoder.array(), 0, encoder.size()));
    }

    @Test
    void stringsOfEveryUtf8WidthAndLengthsOfEveryVarintWidthDecodeExactly() throws Exception {
        StringBuilder big = new StringBuilder();
        while (big.length() < 300_000) { // a length needing three varint bytes, nested five deep
            big.append("aé€😀");
        }
        String unpaired = "x\uD800y\uDC00z";
        OtlpTraceEncoder encoder = new OtlpTraceEncoder("svc-ß", 5);
        for (String input : List.of("", "a", "é".repeat(64), "😀".repeat(40), big.toString(), unpaired)) {
            ExportTraceServiceRequest r = roundTrip(encoder, List.of(exchange(input, "ok", 1)));
            Span server = r.getResourceSpans(0).getScopeSpans(0).getSpans(0);
            String expected = new String(input.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            assertEquals(expected, OtlpReceiverAttrs.string(server, "gen_ai.input.messages"));
            assertEquals("chat módel-😀", server.getName());
            assertEquals("req-ü", OtlpReceiverAttrs.string(server, "aigw.request_id"));
            assertEquals(1_000_005L, server.getStartTimeUnixNano());
            assertEquals(
                    "svc-ß",
                    r.getResourceSpans(0)
                            .getResource()
                            .getAttributes(0)
                            .getValue()
                            .getStringValue());
        }
    }

    @Test
    void aBatchOfManyExchangesIsOneRequestWithEverySpanInOrder() throws Exception {
        OtlpTraceEncoder encoder = new OtlpTraceEncoder("svc", 0);
        List<TracedExchange> batch = new ArrayList<>();
        int spans = 0;
        for (int i = 0; i < Tracing.BATCH; i++) {
            TracedExchange ex = exchange("in-" + i, null, i % 3);
            batch.add(ex);
            spans += ex.spanCount();
        }
        List<Span> decoded =
                roundTrip(encoder, batch).getResourceSpans(0).getScopeSpans(0).getSpansList();
        assertEquals(spans, decoded.size());
        int at = 0;
        for (int i = 0; i < batch.size(); i++) {
            Span server = decoded.get(at++);
            assertEquals(Span.SpanKind.SPAN_KIND_SERVER, server.getKind());
            assertEquals("in-" + i, OtlpReceiverAttrs.string(server, "gen_ai.input.messages"));
            assertEquals(Math.max(0, i % 3 - 1), server.getEventsCount(), "one event per attempt after the first");
            for (int a = 0; a < i % 3; a++) {
                Span client = decoded.get(at++);
                assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, client.getKind());
                assertEquals(server.getSpanId(), client.getParentSpanId());
                assertEquals("_OTHER", OtlpReceiverAttrs.string(client, "error.type"));
            }
        }
    }

    /** Attribute lookup on decoded spans. */
    static final class OtlpReceiverAttrs {
        static String string(Span span, String key) {
            return span.getAttributesList().stream()
                    .filter(kv -> kv.getKey().equals(key))
                    .map(kv -> kv.getValue().getStringValue())
                    .findFirst()
                    .orElse(null);
        }
    }
}
