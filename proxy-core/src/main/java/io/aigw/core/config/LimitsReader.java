package io.aigw.core.config;

import io.aigw.core.config.LimitsConfig.KeyLimits;
import io.aigw.core.config.LimitsConfig.Rates;
import io.aigw.core.config.LimitsConfig.Redis;
import io.aigw.core.config.LimitsConfig.Store;
import java.net.URI;
import java.util.List;

/** Reads the {@code limits:} block into a {@link LimitsConfig}. */
final class LimitsReader {
    static final List<String> KEYS =
            List.of("store", "redis", "global", "per_ip", "key_defaults", "default_max_tokens");
    static final List<String> REDIS_KEYS = List.of("url", "cluster", "prefix", "timeout_ms", "on_failure");
    static final List<String> RATE_KEYS = List.of("rpm", "tpm");
    static final List<String> KEY_KEYS =
            List.of("rpm", "tpm", "max_parallel", "token_quota_daily", "token_quota_monthly");

    /** Beyond this a limit is no limit at all, and the stores' exact integer arithmetic is at risk. */
    private static final long MAX_FIGURE = 1_000_000_000_000L;

    private LimitsReader() {}

    static LimitsConfig read(ConfigNode n) throws ConfigException {
        n.mapping(KEYS);
        ConfigNode storeNode = n.child("store");
        String s = storeNode.string("local").trim();
        Store store = switch (s) {
            case "local" -> Store.LOCAL;
            case "redis" -> Store.REDIS;
            default -> throw storeNode.error("expected one of local, redis, got " + ConfigNode.quote(s));
        };
        ConfigNode redisNode = n.child("redis");
        if (store == Store.LOCAL && !redisNode.isAbsent()) {
            // Settings that would silently do nothing are more likely a mistake than a wish.
            throw redisNode.error("set, but limits.store is local (set store: redis to use it)");
        }
        return new LimitsConfig(
                store,
                redis(redisNode),
                rates(n.child("global")),
                rates(n.child("per_ip")),
                keyLimits(n.child("key_defaults")),
                n.child("default_max_tokens").longInteger(LimitsConfig.DEFAULT_MAX_TOKENS, 1, 10_000_000));
    }

    private static Redis redis(ConfigNode n) throws ConfigException {
        n.mapping(REDIS_KEYS);
        Redis d = Redis.DEFAULT;
        ConfigNode urlNode = n.child("url");
        String url = urlNode.secretString(d.url()).trim();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme();
        if (!List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel", "redis-socket")
                .contains(scheme)) {
            // The URL may carry a password: name the problem, never echo it.
            throw urlNode.error("must be a redis://, rediss:// or redis-sentinel:// URL");
        }
        String prefix = n.child("prefix").string(d.prefix());
        if (prefix.isEmpty()) {
            throw n.child("prefix").error("must not be empty");
        }
        boolean cluster = n.child("cluster").bool(d.cluster());
        if (cluster && !hasHashTag(prefix)) {
            throw n.child("prefix")
                    .error("must hold a {hash tag} with cluster: true (a request's keys must share a slot)");
        }
        ConfigNode failure = n.child("on_failure");
        String f = failure.string("fail_open").trim();
        boolean failOpen = switch (f) {
            case "fail_open" -> true;
            case "fail_closed" -> false;
            default -> throw failure.error("expected one of fail_open, fail_closed, got " + ConfigNode.quote(f));
        };
        return new Redis(url, cluster, prefix, UpstreamReader.millis(n.child("timeout_ms"), 50), failOpen);
    }

    static boolean hasHashTag(String prefix) {
        int open = prefix.indexOf('{');
        int close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
        return close > open + 1;
    }

    private static Rates rates(ConfigNode n) throws ConfigException {
        n.mapping(RATE_KEYS);
        return new Rates(figure(n.child("rpm")), figure(n.child("tpm")));
    }

    private static KeyLimits keyLimits(ConfigNode n) throws ConfigException {
        n.mapping(KEY_KEYS);
        return new KeyLimits(
                figure(n.child("rpm")),
                figure(n.child("tpm")),
                figure(n.child("max_parallel")),
                figure(n.child("token_quota_daily")),
                figure(n.child("token_quota_monthly")));
    }

    private static long figure(ConfigNode n) throws ConfigException {
        return n.longInteger(0, 0, MAX_FIGURE);
    }
}
