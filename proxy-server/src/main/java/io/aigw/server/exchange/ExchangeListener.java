package io.aigw.server.exchange;

import io.aigw.server.http.Exchange;

/**
 * Observes the lifecycle of every exchange: the request log, metrics and traces are listeners, and so
 * will be key budgets and token limits. Each fact is stated once, on the exchange or its attempt,
 * where it happens; listeners read it at these moments instead of being told by four layers.
 *
 * <p>Every call runs on the exchange's event loop, in order, once per exchange (per attempt for the
 * attempt events). A listener never blocks (no I/O, no lock held across anything slow) and should
 * not allocate per call in steady state. It never throws into the data path: {@link ExchangeListeners}
 * catches, counts and logs (rate-limited) whatever escapes.
 */
public interface ExchangeListener {
    /** The request is read whole and its id, trace context, method and path are known (before auth). */
    default void started(Exchange exchange) {}

    /** An upstream attempt begins: its deployment, provider, model id and key index are set. */
    default void attemptStarted(Exchange exchange, Attempt attempt) {}

    /** The attempt is over, with its outcome; another may follow (failover or a retry round). */
    default void attemptEnded(Exchange exchange, Attempt attempt) {}

    /** The first byte of the answer's body (a stream's first event, or a whole answer) is written. */
    default void firstByteToClient(Exchange exchange) {}

    /**
     * The exchange is over: its last byte was written, the client left, or a stop cut it. Status,
     * usage, finish reason, error and times are final.
     */
    default void completed(Exchange exchange) {}
}
