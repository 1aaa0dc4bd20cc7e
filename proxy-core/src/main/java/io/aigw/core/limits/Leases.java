package io.aigw.core.limits;

import java.time.Duration;

/** The lease arithmetic both stores share (the Redis script mirrors {@link #fits}). */
final class Leases {
    private Leases() {}

    /** The longest retry-after of a refused lease: one finishing request frees a place at any moment. */
    static final long MAX_RETRY_MS = 1000;

    /**
     * @param others leases held by others (expired ones dropped)
     * @param held whether this check's lease is already held (a renewal: it counts once)
     */
    static boolean fits(LimitCheck c, long others, boolean held) {
        return held || others + 1 <= c.limit().limit();
    }

    /**
     * The result for one check.
     *
     * @param soonestExpiryInMs time until the soonest of the others' leases expires, or a negative number if
     *     none is held
     */
    static Decision.Result result(LimitCheck c, long others, boolean held, long soonestExpiryInMs, boolean allowed) {
        Limit l = c.limit();
        boolean fits = fits(c, others, held);
        long inFlight = others + (allowed || held ? 1 : 0);
        long remaining = Math.max(0, l.limit() - inFlight);
        long retryMs = 0;
        if (!fits) {
            retryMs = soonestExpiryInMs < 0 ? MAX_RETRY_MS : Math.max(1, Math.min(MAX_RETRY_MS, soonestExpiryInMs));
        }
        return new Decision.Result(c, fits, remaining, Duration.ZERO, Duration.ofMillis(retryMs));
    }
}
