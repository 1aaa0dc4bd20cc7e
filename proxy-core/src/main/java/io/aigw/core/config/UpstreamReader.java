package io.aigw.core.config;

import java.time.Duration;
import java.util.List;

/** Reads the keys of {@link UpstreamSettings}, from the {@code upstream:} block or a provider's own. */
final class UpstreamReader {
    static final List<String> KEYS = List.of(
            "connect_timeout_ms",
            "first_byte_timeout_ms",
            "idle_timeout_ms",
            "total_timeout_ms",
            "max_connections",
            "max_pending_acquires",
            "acquire_timeout_ms",
            "pool_idle_timeout_ms",
            "max_response_bytes",
            "breaker");
    static final List<String> BREAKER_KEYS = List.of("failures", "cooldown_ms", "max_retry_after_ms");

    static final UpstreamSettings DEFAULTS = new UpstreamSettings(
            Duration.ofMillis(5_000),
            Duration.ofMillis(120_000),
            Duration.ofMillis(120_000),
            Duration.ofMillis(600_000),
            512,
            4096,
            Duration.ofMillis(5_000),
            Duration.ofMillis(60_000),
            64L * 1024 * 1024,
            UpstreamSettings.DEFAULT_BREAKER_FAILURES,
            UpstreamSettings.DEFAULT_BREAKER_COOLDOWN);

    private UpstreamReader() {}

    /**
     * The upstream keys present in {@code n}, each falling back to {@code defaults}; the caller checks
     * for unknown keys. Each {@code breaker} sub-key falls back on its own, so a provider may override
     * just {@code failures}. {@code max_retry_after_ms} follows the cooldown unless set (here or, apart
     * from the cooldown, in the defaults).
     */
    static UpstreamSettings read(ConfigNode n, UpstreamSettings defaults) throws ConfigException {
        ConfigNode breaker = n.child("breaker").mapping(BREAKER_KEYS);
        Duration cooldown =
                millis(breaker.child("cooldown_ms"), defaults.breakerCooldown().toMillis());
        boolean capFollowsCooldown = defaults.breakerMaxRetryAfter().equals(defaults.breakerCooldown());
        Duration maxRetryAfter = millis(
                breaker.child("max_retry_after_ms"),
                (capFollowsCooldown ? cooldown : defaults.breakerMaxRetryAfter()).toMillis());
        return new UpstreamSettings(
                millis(n.child("connect_timeout_ms"), defaults.connectTimeout().toMillis()),
                millis(
                        n.child("first_byte_timeout_ms"),
                        defaults.firstByteTimeout().toMillis()),
                millis(n.child("idle_timeout_ms"), defaults.idleTimeout().toMillis()),
                millis(n.child("total_timeout_ms"), defaults.totalTimeout().toMillis()),
                n.child("max_connections").integer(defaults.maxConnections(), 1, Integer.MAX_VALUE),
                n.child("max_pending_acquires").integer(defaults.maxPendingAcquires(), 1, Integer.MAX_VALUE),
                millis(n.child("acquire_timeout_ms"), defaults.acquireTimeout().toMillis()),
                millis(
                        n.child("pool_idle_timeout_ms"),
                        defaults.poolIdleTimeout().toMillis()),
                n.child("max_response_bytes").longInteger(defaults.maxResponseBytes(), 1024, Long.MAX_VALUE),
                breaker.child("failures").integer(defaults.breakerFailures(), 1, Integer.MAX_VALUE),
                cooldown,
                maxRetryAfter);
    }

    /**
     * A timeout in milliseconds. Zero is refused rather than read as "no timeout": consumers would
     * disagree on which it means. The int cap keeps it usable where Netty takes int millis.
     */
    static Duration millis(ConfigNode n, long defaultMillis) throws ConfigException {
        return Duration.ofMillis(n.longInteger(defaultMillis, 1, Integer.MAX_VALUE));
    }
}
