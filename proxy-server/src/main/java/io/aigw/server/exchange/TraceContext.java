package io.aigw.server.exchange;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The W3C trace context of an exchange: the client's {@code traceparent} when it sent a valid one
 * (our spans are then its children), else a new trace. Always present, so every request-log row has a
 * trace id, tracing on or off.
 *
 * @param traceId 32 lower-case hex digits, never all zeros
 * @param parentSpanId the client's span id (16 hex digits), or null when the trace starts here
 * @param sampled the client's sampled flag; true for a trace that starts here (the sampler decides)
 * @param traceState the client's {@code tracestate}, or null
 */
public record TraceContext(String traceId, String parentSpanId, boolean sampled, String traceState) {
    private static final int LENGTH = 55; // 00-<32>-<16>-<2>

    /**
     * The client's context when {@code traceparent} is a valid version-00 header with non-zero ids;
     * otherwise a new random trace with no parent (and the client's {@code tracestate} is dropped
     * with it, as W3C asks).
     */
    public static TraceContext of(String traceparent, String tracestate) {
        if (traceparent != null
                && traceparent.length() == LENGTH
                && traceparent.startsWith("00-")
                && traceparent.charAt(35) == '-'
                && traceparent.charAt(52) == '-'
                && hex(traceparent, 3, 35)
                && hex(traceparent, 36, 52)
                && hex(traceparent, 53, 55)
                && !zeros(traceparent, 3, 35)
                && !zeros(traceparent, 36, 52)) {
            boolean sampled = (Character.digit(traceparent.charAt(54), 16) & 1) == 1;
            return new TraceContext(traceparent.substring(3, 35), traceparent.substring(36, 52), sampled, tracestate);
        }
        return newTrace();
    }

    /** A trace that starts here: a random non-zero id, no parent. */
    public static TraceContext newTrace() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        if (hi == 0 && lo == 0) {
            lo = 1;
        }
        return new TraceContext(HexIds.of("", hi, lo), null, true, null);
    }

    private static boolean hex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
