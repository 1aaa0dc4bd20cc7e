package io.aigw.server.trace;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * Lets the listener choose the ids of the span it is about to start: the SERVER span of a trace that
 * starts here takes the exchange's trace id (so the request-log row and the trace agree), and an
 * attempt's CLIENT span takes the span id the provider was (or will be) sent in {@code traceparent}.
 * The SDK asks for ids inside {@code startSpan}, on the thread that calls it, so a pin set on the
 * event loop just before is taken by exactly that span; anything not pinned is random.
 */
final class PinnedIds implements IdGenerator {
    private static final IdGenerator RANDOM = IdGenerator.random();

    /** One per thread; fields are taken (and cleared) by the next span started on it. */
    private static final class Pins {
        String traceId;
        String spanId;
    }

    private final ThreadLocal<Pins> pins = ThreadLocal.withInitial(Pins::new);

    /** Pins the ids of the next span started on this thread; null leaves that id random. */
    void pin(String traceId, String spanId) {
        Pins p = pins.get();
        p.traceId = traceId;
        p.spanId = spanId;
    }

    /** Drops what the last start did not take (a span with a parent takes no trace id). */
    void clear() {
        Pins p = pins.get();
        p.traceId = null;
        p.spanId = null;
    }

    @Override
    public String generateSpanId() {
        Pins p = pins.get();
        String id = p.spanId;
        if (id == null) {
            return RANDOM.generateSpanId();
        }
        p.spanId = null;
        return id;
    }

    @Override
    public String generateTraceId() {
        Pins p = pins.get();
        String id = p.traceId;
        if (id == null) {
            return RANDOM.generateTraceId();
        }
        p.traceId = null;
        return id;
    }
}
