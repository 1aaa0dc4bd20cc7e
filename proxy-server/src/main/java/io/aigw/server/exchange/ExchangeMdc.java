package io.aigw.server.exchange;

import io.aigw.server.http.Exchange;
import org.slf4j.MDC;

/**
 * Puts an exchange's {@code request_id} and {@code trace_id} in SLF4J's MDC while code of that
 * exchange runs on its event loop, so every log line it writes (text or JSON) carries them.
 *
 * <p>An event loop runs many exchanges in turn: each entry point ({@link #enter}) is paired with an
 * {@link #exit} in a {@code finally}, or one exchange's ids would label another's lines. Entries nest:
 * an inner entry finds the ids already there and its exit leaves them to the outer one.
 */
public final class ExchangeMdc {
    public static final String REQUEST_ID = "request_id";
    public static final String TRACE_ID = "trace_id";

    private ExchangeMdc() {}

    /**
     * Labels the current thread's log lines with the exchange; returns whether this call set them
     * (pass it to {@link #exit}). False for a null exchange or when they are already this exchange's.
     */
    public static boolean enter(Exchange exchange) {
        if (exchange == null) {
            return false;
        }
        String current = MDC.get(REQUEST_ID);
        if (exchange.requestId().equals(current)) {
            return false;
        }
        MDC.put(REQUEST_ID, exchange.requestId());
        TraceContext trace = exchange.traceContext();
        if (trace != null) {
            MDC.put(TRACE_ID, trace.traceId());
        } else {
            MDC.remove(TRACE_ID);
        }
        return true;
    }

    /** Clears what the matching {@link #enter} set. */
    public static void exit(boolean entered) {
        if (entered) {
            MDC.remove(REQUEST_ID);
            MDC.remove(TRACE_ID);
        }
    }

    /** A task that runs later on the loop (a retry, a timer) with the exchange's ids. */
    public static Runnable wrap(Exchange exchange, Runnable task) {
        return () -> {
            boolean entered = enter(exchange);
            try {
                task.run();
            } finally {
                exit(entered);
            }
        };
    }
}
