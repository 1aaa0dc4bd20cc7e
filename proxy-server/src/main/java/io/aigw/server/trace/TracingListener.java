package io.aigw.server.trace;

import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.ProbePaths;

/**
 * Decides at an exchange's start whether it is traced, and at its end hands a sampled one to the
 * pipeline, which turns it into one SERVER span and a CLIENT span per upstream attempt (see {@link
 * OtlpTraceEncoder}). Nothing happens in between: the exchange already holds every fact a span states,
 * and each attempt its span id (the one the provider was sent in {@code traceparent}).
 *
 * <p>Sampling is parent-based, as OpenTelemetry's default sampler: a client's {@code traceparent}
 * decides by its sampled flag; a trace that starts here is sampled when the low 64 bits of its id fall
 * under {@code sample_ratio} (the SDK's {@code TraceIdRatioBased} rule, so every replica and every
 * service with the same ratio agrees on the same trace). The decision is what the provider hears in
 * {@code traceparent}'s flags.
 */
public final class TracingListener implements ExchangeListener {
    private final long idUpperBound;
    private final Tracing pipeline;
    private final int slot;

    /**
     * @param slot this listener's state slot on exchanges (where "sampled" is marked)
     */
    TracingListener(double sampleRatio, Tracing pipeline, int slot) {
        this.idUpperBound = sampleRatio <= 0.0
                ? Long.MIN_VALUE
                : sampleRatio >= 1.0 ? Long.MAX_VALUE : (long) (sampleRatio * Long.MAX_VALUE);
        this.pipeline = pipeline;
        this.slot = slot;
    }

    @Override
    public void started(Exchange exchange) {
        TraceContext trace = exchange.traceContext();
        if (trace == null || ProbePaths.isProbe(exchange.path())) {
            return; // a health probe every few seconds is not traffic worth a trace
        }
        boolean sampled = trace.parentSpanId() != null ? trace.sampled() : sampledByRatio(trace.traceId());
        if (sampled != trace.sampled()) {
            exchange.traceContext(new TraceContext(trace.traceId(), trace.parentSpanId(), sampled, trace.traceState()));
        }
        if (sampled) {
            exchange.state(slot, true);
        }
    }

    @Override
    public void completed(Exchange exchange) {
        if (exchange.state(slot) == null) {
            return;
        }
        exchange.state(slot, null); // completed once, even if the event came twice
        long end = exchange.endNanos() >= 0 ? exchange.endNanos() : System.nanoTime();
        pipeline.offer(new TracedExchange(exchange, end));
    }

    /** The SDK's ratio rule: |low 64 bits of the trace id| below ratio × Long.MAX_VALUE. */
    private boolean sampledByRatio(String traceId) {
        if (idUpperBound == Long.MAX_VALUE) {
            return true;
        }
        if (idUpperBound == Long.MIN_VALUE) {
            return false;
        }
        long low = 0;
        for (int i = 16; i < 32; i++) {
            low = (low << 4) | Character.digit(traceId.charAt(i), 16);
        }
        return Math.abs(low) < idUpperBound;
    }
}
