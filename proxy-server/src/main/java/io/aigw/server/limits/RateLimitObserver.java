package io.aigw.server.limits;

/**
 * What the limiter reports to the metrics (a listener of its own facts, not of the exchange's): called
 * on event loops and on the store's threads, so implementations are thread-safe and never block.
 */
public interface RateLimitObserver {
    RateLimitObserver NONE = new RateLimitObserver() {};

    /** A request was refused by the limit of {@code scope} ({@code key}, {@code ip}, {@code global}) and {@code reason}. */
    default void limited(String scope, String reason) {}

    /** A shared store answered (or failed) after {@code nanos}. */
    default void storeRoundTrip(long nanos) {}

    /** The shared store could not answer and the request was decided by this process's own limits. */
    default void failedOpen() {}
}
