package io.aigw.server.exchange;

import java.util.concurrent.ThreadLocalRandom;

/** W3C trace context ids and the {@code traceparent} header, tracing on or off. */
public final class TraceIds {
    private TraceIds() {}

    /** A random span id: 16 lower-case hex digits, never all zeros. */
    public static String newSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return hex(id);
    }

    /**
     * The {@code traceparent} an attempt sends to the provider: the exchange's trace, the attempt's own
     * span id (the CLIENT span's when tracing is on), and the exchange's sampled flag.
     */
    public static String traceparent(TraceContext trace, String spanId) {
        return "00-" + trace.traceId() + "-" + spanId + (trace.sampled() ? "-01" : "-00");
    }

    static String hex(long v) {
        return HexIds.of(v);
    }
}
