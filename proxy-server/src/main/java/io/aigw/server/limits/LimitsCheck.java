package io.aigw.server.limits;

import io.aigw.core.limits.RedisLimitStore;
import io.aigw.server.health.ReadinessCheck;
import java.util.Map;

/**
 * {@code /readyz}'s {@code limits} (with {@code limits.store: redis} only): whether Redis is connected. Critical only with
 * {@code fail_closed}, where a Redis that is down turns every limited request into a 503; with
 * {@code fail_open} the gateway still serves (degraded).
 */
public final class LimitsCheck implements ReadinessCheck {
    private final RateLimiter limiter;

    /** @param limiter a limiter whose store is Redis */
    public LimitsCheck(RateLimiter limiter) {
        if (limiter.redis() == null) {
            throw new IllegalArgumentException("a local store has nothing to report");
        }
        this.limiter = limiter;
    }

    @Override
    public String name() {
        return "limits";
    }

    @Override
    public boolean critical() {
        return !limiter.config().redis().failOpen();
    }

    @Override
    public Result check() {
        RedisLimitStore redis = limiter.redis();
        return new Result(
                limiter.redisConnected() ? Status.UP : Status.DOWN,
                Map.of(
                        "store",
                        redis.isCluster() ? "redis-cluster" : "redis",
                        "on_failure",
                        limiter.config().redis().failOpen() ? "fail_open" : "fail_closed"));
    }
}
