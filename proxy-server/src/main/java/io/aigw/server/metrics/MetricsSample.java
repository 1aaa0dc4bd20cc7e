package io.aigw.server.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Arrays;
import java.util.Set;

/**
 * The cumulative figures the console's overview is made of, read at one instant and summed over
 * every label set. Requests, errors, latency and overhead count the model API only (endpoints
 * under {@code /v1/}): the console polling the admin API or a scraper must not make traffic up.
 *
 * @param latency per-bucket (not cumulative) counts over {@link #LATENCY_BOUNDS}
 * @param overhead per-bucket counts over {@link #OVERHEAD_BOUNDS}
 */
public record MetricsSample(
        long atMillis,
        double requests,
        double errors,
        long[] latency,
        long[] overhead,
        double promptTokens,
        double completionTokens,
        double costUsd) {
    static final double[] LATENCY_BOUNDS = withInf(MetricsListener.LATENCY_BUCKETS);
    static final double[] OVERHEAD_BOUNDS = withInf(MetricsListener.OVERHEAD_BUCKETS);

    /** The metric names read (the registry names counters without {@code _total}; both are accepted). */
    static final Set<String> NAMES = Set.of(
            "requests",
            "requests_total",
            "request_latency_seconds",
            "aigw_overhead_seconds",
            "token_usage",
            "token_usage_total",
            "aigw_cost_usd",
            "aigw_cost_usd_total");

    /** Nothing counted yet. */
    static MetricsSample zero(long atMillis) {
        return new MetricsSample(
                atMillis, 0, 0, new long[LATENCY_BOUNDS.length], new long[OVERHEAD_BOUNDS.length], 0, 0, 0);
    }

    /** Sums the snapshots' series of interest. */
    static MetricsSample of(long atMillis, MetricSnapshots snapshots) {
        double requests = 0;
        double errors = 0;
        double prompt = 0;
        double completion = 0;
        double cost = 0;
        long[] latency = new long[LATENCY_BOUNDS.length];
        long[] overhead = new long[OVERHEAD_BOUNDS.length];
        for (MetricSnapshot s : snapshots) {
            String name = s.getMetadata().getPrometheusName();
            if (s instanceof CounterSnapshot c) {
                for (CounterDataPointSnapshot p : c.getDataPoints()) {
                    switch (name) {
                        case "requests", "requests_total" -> {
                            if (isModelApi(p.getLabels().get("endpoint"))) {
                                requests += p.getValue();
                                if (isError(p.getLabels().get("status_code"))) {
                                    errors += p.getValue();
                                }
                            }
                        }
                        case "token_usage", "token_usage_total" -> {
                            if ("input".equals(p.getLabels().get("direction"))) {
                                prompt += p.getValue();
                            } else {
                                completion += p.getValue();
                            }
                        }
                        case "aigw_cost_usd", "aigw_cost_usd_total" -> cost += p.getValue();
                        default -> {}
                    }
                }
            } else if (s instanceof HistogramSnapshot h) {
                long[] into = name.equals("request_latency_seconds")
                        ? latency
                        : name.equals("aigw_overhead_seconds") ? overhead : null;
                if (into == null) {
                    continue;
                }
                double[] bounds = into == latency ? LATENCY_BOUNDS : OVERHEAD_BOUNDS;
                for (HistogramDataPointSnapshot p : h.getDataPoints()) {
                    if (isModelApi(p.getLabels().get("endpoint"))) {
                        add(into, bounds, p.getClassicBuckets());
                    }
                }
            }
        }
        return new MetricsSample(atMillis, requests, errors, latency, overhead, prompt, completion, cost);
    }

    private static void add(long[] into, double[] bounds, ClassicHistogramBuckets buckets) {
        for (int i = 0; i < buckets.size(); i++) {
            int at = Arrays.binarySearch(bounds, buckets.getUpperBound(i));
            if (at >= 0) {
                into[at] += buckets.getCount(i);
            }
        }
    }

    private static boolean isModelApi(String endpoint) {
        return endpoint != null && endpoint.startsWith("/v1/");
    }

    private static boolean isError(String status) {
        return status != null && !status.isEmpty() && status.charAt(0) >= '4';
    }

    private static double[] withInf(double[] bounds) {
        double[] b = Arrays.copyOf(bounds, bounds.length + 1);
        b[bounds.length] = Double.POSITIVE_INFINITY;
        return b;
    }
}
