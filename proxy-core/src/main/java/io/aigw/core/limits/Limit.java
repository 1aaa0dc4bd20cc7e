package io.aigw.core.limits;

import java.time.Duration;
import java.util.Objects;

/**
 * One limit on one scope: at most {@code limit} units (requests or tokens) per {@code window}, refilled
 * continuously (GCRA, see {@link LimitStore}). The scope names who is limited and in what unit, e.g.
 * {@code key:42:rpm}, {@code key:42:tpm}, {@code ip:1.2.3.4:rpm}, {@code global:rpm}; the store keeps one
 * state per (scope, window), so a changed limit keeps its state and a changed window starts afresh.
 *
 * <p>State is kept as an integer "debt" in units × window-milliseconds; both stores compute in integers
 * below 2<sup>53</sup> (exact in Redis's Lua doubles), hence {@code limit × window_ms ≤ 2^53}: a minute
 * allows 150 billion units, a day 100 million.
 */
public record Limit(String scope, long limit, Duration window) {

    /** The largest integer a Lua (double) number holds exactly. */
    static final long MAX_EXACT = 1L << 53;

    public Limit {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(window, "window");
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("empty limit scope");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        if (window.toMillis() <= 0) {
            throw new IllegalArgumentException("window must be at least 1 ms: " + window);
        }
        if (window.toMillis() > MAX_EXACT / limit) {
            throw new IllegalArgumentException(
                    "limit × window is too large to count exactly: " + limit + " per " + window);
        }
    }

    public static Limit of(String scope, long limit, Duration window) {
        return new Limit(scope, limit, window);
    }

    long windowMillis() {
        return window.toMillis();
    }

    /** The full capacity in debt units (units × window-ms). */
    long capacity() {
        return limit * window.toMillis();
    }

    /** What identifies this limit's state: scope and window. */
    String stateKey() {
        return scope + ":" + window.toMillis();
    }

    /** A check of this limit costing {@code cost} units. */
    public LimitCheck cost(long cost) {
        return new LimitCheck(this, cost);
    }
}
