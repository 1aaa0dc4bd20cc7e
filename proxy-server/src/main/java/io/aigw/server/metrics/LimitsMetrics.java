package io.aigw.server.metrics;

import io.aigw.server.limits.RateLimitObserver;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The rate limiter's metrics: refusals by scope and reason, the shared store's round trips, and the
 * decisions made locally because it could not answer. Adders on the data path, read when scraped.
 */
public final class LimitsMetrics implements RateLimitObserver {
    private static final List<String> SCOPES = List.of("key", "ip", "global");
    private static final List<String> REASONS = List.of("rpm", "tpm", "parallel", "quota_daily", "quota_monthly");
    private static final double[] RTT_BUCKETS = {
        0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1
    };

    private final LongAdder[] limited = new LongAdder[SCOPES.size() * REASONS.size()];
    private final LongAdder failedOpen = new LongAdder();
    private final LeanHistogram.Child roundTrip;

    public LimitsMetrics(PrometheusRegistry registry) {
        for (int i = 0; i < limited.length; i++) {
            limited[i] = new LongAdder();
        }
        CounterWithCallback.builder()
                .name("aigw_ratelimit_limited_total")
                .help("Requests refused by a rate limit or quota, by scope (key, ip, global) and reason")
                .labelNames("scope", "reason")
                .callback(cb -> {
                    for (int i = 0; i < limited.length; i++) {
                        cb.call(limited[i].sum(), SCOPES.get(i / REASONS.size()), REASONS.get(i % REASONS.size()));
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("aigw_ratelimit_fail_open_total")
                .help("Requests decided by this process's own limits because the shared store did not answer")
                .callback(cb -> cb.call(failedOpen.sum()))
                .register(registry);
        roundTrip = LeanHistogram.register(
                        registry,
                        "aigw_ratelimit_store_seconds",
                        "Time the shared limit store (Redis) took to decide a request, failures included",
                        RTT_BUCKETS)
                .labelValues();
    }

    @Override
    public void limited(String scope, String reason) {
        int s = SCOPES.indexOf(scope);
        int r = REASONS.indexOf(reason);
        if (s >= 0 && r >= 0) {
            limited[s * REASONS.size() + r].increment();
        }
    }

    @Override
    public void storeRoundTrip(long nanos) {
        roundTrip.observe(nanos / 1e9);
    }

    @Override
    public void failedOpen() {
        failedOpen.increment();
    }
}
