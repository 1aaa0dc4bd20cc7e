package io.aigw.core.limits;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The answer to one {@link LimitStore#acquire}: allowed only if every check fits, and then every check's
 * cost was taken; refused otherwise, and then nothing was taken. One {@link Result} per check, in the
 * order given, carries what the {@code x-ratelimit-limit-*}, {@code -remaining-*}, {@code -reset-*} and
 * {@code retry-after} headers need.
 */
public record Decision(boolean allowed, List<Result> results) {

    public Decision {
        results = List.copyOf(results);
    }

    /**
     * One check's state after the decision.
     *
     * @param check the check as asked
     * @param fits whether this check alone would have fit (a refused decision has at least one that did not)
     * @param remaining whole units left now (after this request's cost if allowed), 0 to limit; for leases,
     *     the places left ({@code max − held})
     * @param reset for a rate, time until it is back to full capacity; for a quota, time until its period
     *     ends; for leases, zero ({@code x-ratelimit-reset-*})
     * @param retryAfter time until this check's cost would fit (zero when it fits now); for a rate's cost
     *     above the limit, which never fits, the time to full capacity; for a quota, the period's end; for a
     *     lease, 1 s or the soonest lease's expiry if sooner
     */
    public record Result(LimitCheck check, boolean fits, long remaining, Duration reset, Duration retryAfter) {
        public long limit() {
            return check.limit().limit();
        }
    }

    /** The first check that did not fit, if refused. */
    public Optional<Result> refusedBy() {
        return results.stream().filter(r -> !r.fits()).findFirst();
    }

    /** For a refused decision, how long until all its checks would fit ({@code retry-after}); else zero. */
    public Duration retryAfter() {
        Duration max = Duration.ZERO;
        for (Result r : results) {
            if (!r.fits() && r.retryAfter().compareTo(max) > 0) {
                max = r.retryAfter();
            }
        }
        return max;
    }
}
