package io.aigw.core.routing;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Per-route retry policy: at most {@code count} retries after the first attempt, waiting the server's requested
 * delay (Retry-After / retry-after-ms) when it gave one, else {@link Backoff} with full jitter.
 *
 * <p>A server delay longer than {@code retryAfterCap} means give up rather than wait (retrying sooner than the
 * server asked would only earn another 429); the caller may still fail over to another deployment. No wait
 * may end after the request's total deadline: if it would, give up.
 */
public record RetryPolicy(int count, Backoff backoff, Duration retryAfterCap) {

    public static final int DEFAULT_COUNT = 2;
    public static final Duration DEFAULT_RETRY_AFTER_CAP = Duration.ofSeconds(30);

    private static final RetryPolicy DEFAULTS =
            new RetryPolicy(DEFAULT_COUNT, Backoff.defaults(), DEFAULT_RETRY_AFTER_CAP);

    public RetryPolicy {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(retryAfterCap, "retryAfterCap");
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        if (retryAfterCap.isNegative()) {
            throw new IllegalArgumentException("retryAfterCap must not be negative: " + retryAfterCap);
        }
    }

    /** 2 retries, 100 ms..5 s backoff, 30 s Retry-After cap. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    public static RetryPolicy of(int count, Backoff backoff, Duration retryAfterCap) {
        return new RetryPolicy(count, backoff, retryAfterCap);
    }

    public static RetryPolicy none() {
        return new RetryPolicy(0, Backoff.defaults(), DEFAULT_RETRY_AFTER_CAP);
    }

    /** {@link #nextDelay(int, Optional, long, long, RandomGenerator)} with {@link ThreadLocalRandom}. */
    public OptionalLong nextDelay(int attempt, Optional<Long> serverDelay, long now, long deadline) {
        return nextDelay(attempt, serverDelay, now, deadline, ThreadLocalRandom.current());
    }

    /**
     * The wait before retry {@code attempt} (1 = first retry), or empty to give up.
     *
     * @param serverDelay nanoseconds from {@link RetryAfter#parse}, or empty
     * @param now         {@link Clock#nanoTime()} now
     * @param deadline    {@link Clock#nanoTime()} value the whole request must finish by
     */
    public OptionalLong nextDelay(
            int attempt, Optional<Long> serverDelay, long now, long deadline, RandomGenerator rnd) {
        if (attempt < 1 || attempt > count) {
            return OptionalLong.empty();
        }
        long delay;
        if (serverDelay != null && serverDelay.isPresent()) {
            delay = Math.max(0L, serverDelay.get());
            if (delay > BreakerPolicy.saturatedNanos(retryAfterCap)) {
                return OptionalLong.empty();
            }
        } else {
            delay = backoff.delayNanos(attempt, rnd);
        }
        long left = deadline - now;
        if (left <= 0 || delay >= left) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(delay);
    }
}
