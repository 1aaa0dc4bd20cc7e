package io.aigw.core.config;

import java.time.Duration;

/**
 * How the proxy talks to one provider. The top-level {@code upstream:} block gives the defaults;
 * any provider may override any of these keys in its own block.
 *
 * @param maxConnections per provider origin and per event loop (pools are pinned to event loops)
 * @param poolIdleTimeout an idle pooled connection is closed after this
 * @param breakerFailures consecutive failures after which a deployment is taken out of rotation
 * @param breakerCooldown how long an opened breaker keeps the deployment out
 * @param maxResponseBytes the largest plain (non-streamed) answer, which is held whole before it is sent
 * @param breakerMaxRetryAfter the longest a provider's Retry-After may keep a deployment or one of its
 *     keys out (by default the breaker's cooldown: a provider cannot bench itself for longer than a
 *     string of failures would)
 * @param maxEventBytes the largest single event of a stream, which is held until it ends
 */
public record UpstreamSettings(
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        Duration totalTimeout,
        int maxConnections,
        int maxPendingAcquires,
        Duration acquireTimeout,
        Duration poolIdleTimeout,
        long maxResponseBytes,
        int breakerFailures,
        Duration breakerCooldown,
        Duration breakerMaxRetryAfter,
        long maxEventBytes) {

    public static final int DEFAULT_BREAKER_FAILURES = 3;
    public static final Duration DEFAULT_BREAKER_COOLDOWN = Duration.ofMillis(600_000);
    /** An event is a token or a few: a megabyte is far beyond any real one, and bounds what a stream holds. */
    public static final long DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

    /** With a Retry-After cap equal to the breaker's cooldown. */
    public UpstreamSettings(
            Duration connectTimeout,
            Duration firstByteTimeout,
            Duration idleTimeout,
            Duration totalTimeout,
            int maxConnections,
            int maxPendingAcquires,
            Duration acquireTimeout,
            Duration poolIdleTimeout,
            long maxResponseBytes,
            int breakerFailures,
            Duration breakerCooldown) {
        this(
                connectTimeout,
                firstByteTimeout,
                idleTimeout,
                totalTimeout,
                maxConnections,
                maxPendingAcquires,
                acquireTimeout,
                poolIdleTimeout,
                maxResponseBytes,
                breakerFailures,
                breakerCooldown,
                breakerCooldown,
                DEFAULT_MAX_EVENT_BYTES);
    }

    public UpstreamSettings(
            Duration connectTimeout,
            Duration firstByteTimeout,
            Duration idleTimeout,
            Duration totalTimeout,
            int maxConnections,
            int maxPendingAcquires,
            Duration acquireTimeout,
            Duration poolIdleTimeout,
            long maxResponseBytes) {
        this(
                connectTimeout,
                firstByteTimeout,
                idleTimeout,
                totalTimeout,
                maxConnections,
                maxPendingAcquires,
                acquireTimeout,
                poolIdleTimeout,
                maxResponseBytes,
                DEFAULT_BREAKER_FAILURES,
                DEFAULT_BREAKER_COOLDOWN);
    }
}
