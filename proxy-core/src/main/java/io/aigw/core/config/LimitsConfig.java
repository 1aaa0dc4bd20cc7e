package io.aigw.core.config;

import java.time.Duration;

/**
 * The {@code limits:} block: rate limits, in-flight limits and token quotas, and where their state is
 * kept. Every figure is 0 when unset, meaning "no such limit".
 *
 * @param store where limit state lives: this process, or Redis shared by every replica
 * @param redis the Redis settings (used only with {@link Store#REDIS})
 * @param global limits on all requests together
 * @param perIp limits per client address (the TCP peer: a forwarded-for header is the client's to forge)
 * @param keyDefaults limits of every client key, unless a database key sets its own
 * @param defaultMaxTokens the output tokens a request without {@code max_tokens} is admitted against
 */
public record LimitsConfig(
        Store store, Redis redis, Rates global, Rates perIp, KeyLimits keyDefaults, long defaultMaxTokens) {

    public enum Store {
        LOCAL,
        REDIS
    }

    /**
     * @param url a Lettuce URI ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}); may hold
     *     a password, so it is never logged
     * @param cluster the URL names a Redis Cluster node
     * @param prefix prepended to every key; carries a {@code {hash tag}} so one request's keys share a slot
     * @param timeout how long a decision may wait for Redis before it counts as unavailable
     * @param failOpen on Redis trouble, serve under this process's own limits (else answer 503)
     */
    public record Redis(String url, boolean cluster, String prefix, Duration timeout, boolean failOpen) {
        public static final Redis DEFAULT =
                new Redis("redis://127.0.0.1:6379", false, "{aigw-limits}:", Duration.ofMillis(50), true);

        /** Without the URL, which may hold a password. */
        @Override
        public String toString() {
            return "Redis[url=(redacted), cluster=" + cluster + ", prefix=" + prefix + ", timeout=" + timeout
                    + ", failOpen=" + failOpen + "]";
        }
    }

    /** Requests and tokens per minute; 0 = unlimited. */
    public record Rates(long rpm, long tpm) {
        public static final Rates NONE = new Rates(0, 0);

        public boolean any() {
            return rpm > 0 || tpm > 0;
        }
    }

    /** What a client key may do; 0 = unlimited. */
    public record KeyLimits(long rpm, long tpm, long maxParallel, long tokenQuotaDaily, long tokenQuotaMonthly) {
        public static final KeyLimits NONE = new KeyLimits(0, 0, 0, 0, 0);

        public boolean any() {
            return rpm > 0 || tpm > 0 || maxParallel > 0 || tokenQuotaDaily > 0 || tokenQuotaMonthly > 0;
        }
    }

    public static final long DEFAULT_MAX_TOKENS = 4096;

    public static final LimitsConfig NONE =
            new LimitsConfig(Store.LOCAL, Redis.DEFAULT, Rates.NONE, Rates.NONE, KeyLimits.NONE, DEFAULT_MAX_TOKENS);

    /** Whether the config file sets any limit (database keys may still carry their own). */
    public boolean anyConfigured() {
        return global.any() || perIp.any() || keyDefaults.any();
    }
}
