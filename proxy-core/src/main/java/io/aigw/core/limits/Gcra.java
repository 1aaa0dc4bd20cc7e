package io.aigw.core.limits;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The GCRA arithmetic both stores share (the Redis script mirrors {@link #decay} and {@link #fits}). A
 * debt is in units × window-ms: taking {@code c} units adds {@code c × window_ms}, each elapsed
 * millisecond removes {@code limit}, and the capacity is {@code limit × window_ms}. All integer, all below
 * 2<sup>53</sup> (see {@link Limit}).
 */
final class Gcra {
    private Gcra() {}

    /** The debt after {@code elapsedMs} of refill (no overflow: the product is only formed when smaller). */
    static long decay(long debt, long elapsedMs, long limit) {
        if (elapsedMs <= 0) {
            return debt;
        }
        if (elapsedMs >= (debt + limit - 1) / limit) {
            return 0;
        }
        return debt - elapsedMs * limit;
    }

    static boolean fits(long debt, LimitCheck c) {
        return debt + c.cost() * c.limit().windowMillis() <= c.limit().capacity();
    }

    static long charged(long debt, LimitCheck c) {
        return debt + c.cost() * c.limit().windowMillis();
    }

    /** The largest debt kept: an absurd correction cannot push the arithmetic past exact integers. */
    static final long MAX_DEBT = Limit.MAX_EXACT / 2;

    /** The debt after a correction of {@code delta} units: never below zero, never above {@link #MAX_DEBT}. */
    static long corrected(long debt, long delta, Limit l) {
        if (Math.abs(delta) > Limit.MAX_EXACT / l.windowMillis()) {
            throw new IllegalArgumentException("correction too large to count exactly: " + delta);
        }
        long d = debt + delta * l.windowMillis();
        return Math.max(0, Math.min(MAX_DEBT, d));
    }

    /** Milliseconds until {@code debt} has drained to {@code target} (rounded up). */
    static long millisUntil(long debt, long target, long limit) {
        long excess = debt - target;
        return excess <= 0 ? 0 : (excess + limit - 1) / limit;
    }

    /**
     * The result for one check given its debt before the decision ({@code before}) and whether the
     * decision was allowed.
     */
    static Decision.Result result(LimitCheck c, long before, boolean allowed) {
        Limit l = c.limit();
        boolean fits = fits(before, c);
        long after = allowed ? charged(before, c) : before;
        long remaining = Math.max(0, Math.min(l.limit(), (l.capacity() - after) / l.windowMillis()));
        long resetMs = millisUntil(after, 0, l.limit());
        long retryMs;
        if (fits) {
            retryMs = 0;
        } else if (c.cost() > l.limit()) {
            retryMs = resetMs;
        } else {
            retryMs = millisUntil(before, l.capacity() - c.cost() * l.windowMillis(), l.limit());
        }
        return new Decision.Result(c, fits, remaining, Duration.ofMillis(resetMs), Duration.ofMillis(retryMs));
    }

    /** Rejects a call that names one (scope, window) twice: its checks could not be decided together. */
    static void requireDistinct(List<LimitCheck> checks) {
        if (checks.size() < 2) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (LimitCheck c : checks) {
            if (!seen.add(c.limit().stateKey())) {
                throw new IllegalArgumentException(
                        "limit checked twice in one acquire: " + c.limit().scope());
            }
        }
    }
}
