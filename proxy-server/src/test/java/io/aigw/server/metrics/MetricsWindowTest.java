package io.aigw.server.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** The console's "last hour": quantiles from bucket counts, deltas between samples, the baseline chosen. */
class MetricsWindowTest {
    private static final double[] BOUNDS = {0.1, 0.5, 1, Double.POSITIVE_INFINITY};

    @Test
    void quantileInterpolatesWithinTheBucketAsPrometheusDoes() {
        // 10 observations: 4 at or below 0.1, 4 in (0.1, 0.5], 2 in (0.5, 1].
        long[] counts = {4, 4, 2, 0};
        // rank 5 is the 1st of 4 in (0.1, 0.5]: 0.1 + 0.4 * 1/4
        assertEquals(0.2, MetricsWindow.quantile(0.5, BOUNDS, counts), 1e-9);
        // rank 9.9 is 1.9 of 2 into (0.5, 1]
        assertEquals(0.975, MetricsWindow.quantile(0.99, BOUNDS, counts), 1e-9);
        // the first bucket starts at 0
        assertEquals(0.05, MetricsWindow.quantile(0.5, BOUNDS, new long[] {2, 0, 0, 0}), 1e-9);
    }

    @Test
    void aRankInTheInfBucketAnswersTheHighestFiniteBound() {
        assertEquals(1.0, MetricsWindow.quantile(0.99, BOUNDS, new long[] {1, 0, 0, 9}), 1e-9);
        assertEquals(0.1, MetricsWindow.quantile(0.1, BOUNDS, new long[] {1, 0, 0, 9}), 1e-9);
    }

    @Test
    void nothingObservedIsNoAnswerNotZero() {
        assertTrue(Double.isNaN(MetricsWindow.quantile(0.5, BOUNDS, new long[4])));
    }

    @Test
    void theWindowIsTheDifferenceOfTwoSamples() {
        MetricsSample from = sample(1_000, 10, 2, 100, 50, 0.25, 3);
        MetricsSample to = sample(61_000, 14, 3, 160, 90, 0.75, 3);
        // four more requests, all in the 3rd latency bucket (0.01, 0.025]
        to.latency()[2] += 4;
        to.overhead()[0] += 4;
        MetricsWindow w = MetricsWindow.between(from, to);
        assertEquals(1_000, w.fromMillis());
        assertEquals(61_000, w.toMillis());
        assertEquals(4, w.requests());
        assertEquals(1, w.errors());
        assertEquals(60, w.promptTokens());
        assertEquals(40, w.completionTokens());
        assertEquals(0.5, w.costUsd(), 1e-12);
        // the 3 observations already in the baseline's buckets do not count
        assertEquals(0.01 + 0.015 * 2 / 4, w.latencyP50(), 1e-9);
        assertEquals(0.0001 * 0.99, w.overheadP99(), 1e-12);
        assertArrayEquals(
                new long[] {0, 0, 4, 0}, MetricsWindow.minus(new long[] {1, 2, 7, 0}, new long[] {1, 2, 3, 5}));
    }

    @Test
    void theBaselineIsTheNewestSampleAtLeastTheWindowOldElseTheOldest() {
        Deque<MetricsSample> reads = new ArrayDeque<>();
        MetricsHistory h = new MetricsHistory(reads::removeFirst, 3);
        for (long t : new long[] {0, 10_000, 20_000, 30_000}) {
            reads.add(sample(t, t / 1000.0, 0, 0, 0, 0, 0));
            h.record();
        }
        MetricsSample now = sample(45_000, 45, 0, 0, 0, 0, 0);
        // capacity 3: the sample at 0 is gone
        assertEquals(10_000, h.baseline(0, now).atMillis());
        assertEquals(20_000, h.baseline(25_000, now).atMillis());
        assertEquals(30_000, h.baseline(30_000, now).atMillis());
        reads.add(now);
        MetricsWindow w = h.summary(20);
        assertEquals(20_000, w.fromMillis());
        assertEquals(25, w.requests());
        assertSame(now, new MetricsHistory(() -> now, 3).baseline(0, now));
    }

    @Test
    void aSampleSumsTheModelApiSeriesOfTheRegistry() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter requests = Counter.builder()
                .name("requests_total")
                .labelNames("endpoint", "provider", "status_code")
                .register(registry);
        requests.labelValues("/v1/chat/completions", "a", "200").inc(5);
        requests.labelValues("/v1/embeddings", "b", "503").inc(2);
        requests.labelValues("/v1/chat/completions", "none", "401").inc();
        requests.labelValues("/admin", "none", "200").inc(100); // the console itself: not traffic
        Counter tokens = Counter.builder()
                .name("token_usage_total")
                .labelNames("provider", "direction")
                .register(registry);
        tokens.labelValues("a", "input").inc(30);
        tokens.labelValues("a", "output").inc(12);
        Counter.builder()
                .name("aigw_cost_usd_total")
                .labelNames("provider", "model")
                .register(registry)
                .labelValues("a", "m")
                .inc(0.125);
        LeanHistogram latency = LeanHistogram.register(
                registry, "request_latency_seconds", "h", MetricsListener.LATENCY_BUCKETS, "endpoint", "provider");
        latency.labelValues("/v1/chat/completions", "a").observe(0.02);
        latency.labelValues("/v1/chat/completions", "a").observe(400); // above every bound: +Inf
        latency.labelValues("/admin", "none").observe(0.02);
        LeanHistogram overhead = LeanHistogram.register(
                registry, "aigw_overhead_seconds", "h", MetricsListener.OVERHEAD_BUCKETS, "endpoint");
        overhead.labelValues("/v1/chat/completions").observe(0.0003);

        MetricsSample s = MetricsSample.of(7, registry.scrape(MetricsSample.NAMES::contains));
        assertEquals(7, s.atMillis());
        assertEquals(8, s.requests());
        assertEquals(3, s.errors());
        assertEquals(30, s.promptTokens());
        assertEquals(12, s.completionTokens());
        assertEquals(0.125, s.costUsd(), 1e-12);
        assertEquals(1, s.latency()[2]); // (0.01, 0.025]
        assertEquals(1, s.latency()[s.latency().length - 1]);
        assertEquals(2, java.util.Arrays.stream(s.latency()).sum());
        assertEquals(1, s.overhead()[2]); // (0.00025, 0.0005]
    }

    private static MetricsSample sample(
            long at, double requests, double errors, double prompt, double completion, double cost, long observed) {
        MetricsSample s = MetricsSample.zero(at);
        s.latency()[0] = observed;
        return new MetricsSample(at, requests, errors, s.latency(), s.overhead(), prompt, completion, cost);
    }
}
