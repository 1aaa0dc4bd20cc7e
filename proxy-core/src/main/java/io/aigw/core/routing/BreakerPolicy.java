package io.aigw.core.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * Circuit breaker parameters: {@code failures} consecutive failures open the breaker for {@code cooldown};
 * a provider's Retry-After keeps it out for at most {@code maxRetryAfter}.
 */
public record BreakerPolicy(int failures, Duration cooldown, Duration maxRetryAfter) {

    public static final int DEFAULT_FAILURES = 3;
    public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(600);

    private static final BreakerPolicy DEFAULTS = new BreakerPolicy(DEFAULT_FAILURES, DEFAULT_COOLDOWN);

    /** A Retry-After capped at the cooldown. */
    public BreakerPolicy(int failures, Duration cooldown) {
        this(failures, cooldown, cooldown);
    }

    public BreakerPolicy {
        Objects.requireNonNull(cooldown, "cooldown");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("maxRetryAfter must not be negative: " + maxRetryAfter);
        }
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be >= 1: " + failures);
        }
        if (cooldown.isNegative() || cooldown.isZero()) {
            throw new IllegalArgumentException("cooldown must be positive: " + cooldown);
        }
    }

    /** 3 failures, 600 s cooldown. */
    public static BreakerPolicy defaults() {
        return DEFAULTS;
    }

    public static BreakerPolicy of(int failures, Duration cooldown) {
        return new BreakerPolicy(failures, cooldown);
    }

    public static BreakerPolicy of(int failures, Duration cooldown, Duration maxRetryAfter) {
        return new BreakerPolicy(failures, cooldown, maxRetryAfter);
    }

    public long maxRetryAfterNanos() {
        return saturatedNanos(maxRetryAfter);
    }

    public long cooldownNanos() {
        return saturatedNanos(cooldown);
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
