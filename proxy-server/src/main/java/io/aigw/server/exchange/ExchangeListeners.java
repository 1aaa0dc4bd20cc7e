package io.aigw.server.exchange;

import io.aigw.server.http.Exchange;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of every exchange, called in order; what one throws is caught, counted and logged
 * (at most once a minute), never passed to the data path or to the next listener. Each listener gets
 * a slot for its own state on {@link Exchange#state} and {@link Attempt#state}: its place in the list
 * (fixed when the list is built), so no two listeners share one.
 */
public final class ExchangeListeners {
    private static final Logger log = LoggerFactory.getLogger(ExchangeListeners.class);
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final ExchangeListener[] listeners;
    private final LongAdder failures = new LongAdder();
    private volatile long lastLoggedNanos = System.nanoTime() - LOG_EVERY_NANOS;

    public ExchangeListeners(List<? extends ExchangeListener> listeners) {
        this.listeners = listeners.toArray(new ExchangeListener[0]);
    }

    public static ExchangeListeners none() {
        return new ExchangeListeners(List.of());
    }

    /** Exceptions listeners threw (each one a bug in a listener). */
    public long failures() {
        return failures.sum();
    }

    public void started(Exchange exchange) {
        for (ExchangeListener l : listeners) {
            try {
                l.started(exchange);
            } catch (RuntimeException e) {
                failed(l, "started", e);
            }
        }
    }

    public void attemptStarted(Exchange exchange, Attempt attempt) {
        for (ExchangeListener l : listeners) {
            try {
                l.attemptStarted(exchange, attempt);
            } catch (RuntimeException e) {
                failed(l, "attemptStarted", e);
            }
        }
    }

    public void attemptEnded(Exchange exchange, Attempt attempt) {
        for (ExchangeListener l : listeners) {
            try {
                l.attemptEnded(exchange, attempt);
            } catch (RuntimeException e) {
                failed(l, "attemptEnded", e);
            }
        }
    }

    public void firstByteToClient(Exchange exchange) {
        for (ExchangeListener l : listeners) {
            try {
                l.firstByteToClient(exchange);
            } catch (RuntimeException e) {
                failed(l, "firstByteToClient", e);
            }
        }
    }

    public void completed(Exchange exchange) {
        for (ExchangeListener l : listeners) {
            try {
                l.completed(exchange);
            } catch (RuntimeException e) {
                failed(l, "completed", e);
            }
        }
    }

    private void failed(ExchangeListener l, String event, RuntimeException e) {
        failures.increment();
        long now = System.nanoTime();
        long last = lastLoggedNanos;
        if (now - last >= LOG_EVERY_NANOS) {
            lastLoggedNanos = now;
            log.error(
                    "exchange listener {} failed on {} ({} failures so far)",
                    l.getClass().getName(),
                    event,
                    failures.sum(),
                    e);
        }
    }
}
