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
            "max_event_bytes",
            "breaker");
    /** Only in the top-level block: one budget for the whole process. */
    static final String MAX_BUFFERED_BYTES = "max_buffered_bytes";

    static final List<String> TOP_KEYS = withTopLevelKeys();
    /** Buffered response bytes of all calls together, unless {@code upstream.max_buffered_bytes} says otherwise. */
    static final long DEFAULT_MAX_BUFFERED_BYTES = 256L * 1024 * 1024;

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
            UpstreamSettings.DEFAULT_BREAKER_COOLDOWN,
            UpstreamSettings.DEFAULT_BREAKER_COOLDOWN,
            UpstreamSettings.DEFAULT_MAX_EVENT_BYTES);

    private UpstreamReader() {}

    private static List<String> withTopLevelKeys() {
        List<String> keys = new java.util.ArrayList<>(KEYS);
        keys.add(MAX_BUFFERED_BYTES);
        return List.copyOf(keys);
    }

    /** The top-level {@code max_buffered_bytes}: at least one default-sized event must fit. */
    static long maxBufferedBytes(ConfigNode upstream) throws ConfigException {
        return upstream.child(MAX_BUFFERED_BYTES).longInteger(DEFAULT_MAX_BUFFERED_BYTES, 65536, Long.MAX_VALUE);
    }

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
                maxRetryAfter,
                n.child("max_event_bytes").longInteger(defaults.maxEventBytes(), 1024, Long.MAX_VALUE));
    }

    /**
     * A timeout in milliseconds. Zero is refused rather than read as "no timeout": consumers would
     * disagree on which it means. The int cap keeps it usable where Netty takes int millis.
     */
    static Duration millis(ConfigNode n, long defaultMillis) throws ConfigException {
        return Duration.ofMillis(n.longInteger(defaultMillis, 1, Integer.MAX_VALUE));
    }
}
