package io.aigw.core.limits;

import java.time.Duration;

/**
 * The quota arithmetic both stores share (the Redis script mirrors it): units used in a fixed period, no
 * refill, all integer and within [0, {@link Limit#MAX_QUOTA}].
 */
final class Quotas {
    private Quotas() {}

    /** How long a period's state outlives the period: a replica whose clock lags still counts against it. */
    static final long GRACE_MS = Duration.ofHours(1).toMillis();

    static boolean fits(long used, LimitCheck c) {
        return used + c.cost() <= c.limit().limit();
    }

    /** The used units after a correction of {@code delta}: never below zero, never above {@link Limit#MAX_QUOTA}. */
    static long corrected(long used, long delta) {
        if (Math.abs(delta) > Limit.MAX_QUOTA) {
            throw new IllegalArgumentException("correction too large to count exactly: " + delta);
        }
        return Math.max(0, Math.min(Limit.MAX_QUOTA, used + delta));
    }

    /** When a period's state may be forgotten (epoch ms). */
    static long expiresAtMillis(Limit l) {
        return l.periodEndMillis() + GRACE_MS;
    }

    /** The result for one check given the units used before the decision and the store's now (epoch ms). */
    static Decision.Result result(LimitCheck c, long before, boolean allowed, long nowMillis) {
        Limit l = c.limit();
        boolean fits = fits(before, c);
        long after = allowed ? before + c.cost() : before;
        long remaining = Math.max(0, Math.min(l.limit(), l.limit() - after));
        Duration reset = Duration.ofMillis(Math.max(0, l.periodEndMillis() - nowMillis));
        return new Decision.Result(c, fits, remaining, reset, fits ? Duration.ZERO : reset);
    }
}
