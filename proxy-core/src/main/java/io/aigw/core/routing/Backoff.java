package io.aigw.core.routing;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the delay before retry {@code attempt} (1 = first retry) is uniform in
 * {@code [0, min(max, base × 2^(attempt-1))]}.
 */
public record Backoff(Duration base, Duration max) {

    public static final Duration DEFAULT_BASE = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(5);

    private static final Backoff DEFAULTS = new Backoff(DEFAULT_BASE, DEFAULT_MAX);

    public Backoff {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(max, "max");
        if (base.isNegative() || max.isNegative()) {
            throw new IllegalArgumentException("backoff durations must not be negative");
        }
        if (base.compareTo(max) > 0) {
            throw new IllegalArgumentException("base " + base + " exceeds max " + max);
        }
    }

    /** 100 ms base, 5 s max. */
    public static Backoff defaults() {
        return DEFAULTS;
    }

    public static Backoff exponential(Duration base, Duration max) {
        return new Backoff(base, max);
    }

    /** Upper bound of the jittered delay for {@code attempt} (attempts below 1 count as 1). */
    public long ceilingNanos(int attempt) {
        long b = BreakerPolicy.saturatedNanos(base);
        long m = BreakerPolicy.saturatedNanos(max);
        int shift = Math.max(0, attempt - 1);
        if (b == 0) {
            return 0;
        }
        if (shift >= 63 || b > (m >> shift)) {
            return m;
        }
        return Math.min(m, b << shift);
    }

    /** Full-jitter delay for retry {@code attempt}: uniform in {@code [0, ceilingNanos(attempt)]}. */
    public long delayNanos(int attempt, RandomGenerator rnd) {
        long ceiling = ceilingNanos(attempt);
        if (ceiling <= 0) {
            return 0;
        }
        return ceiling == Long.MAX_VALUE ? rnd.nextLong(0, ceiling) : rnd.nextLong(0, ceiling + 1);
    }
}
