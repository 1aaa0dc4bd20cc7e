package io.aigw.server.metrics;

/**
 * What happened between two samples: the counters' differences and the quantiles of the latency
 * and overhead observed in between, from the histogram buckets' differences.
 *
 * <p>Quantiles are estimated as Prometheus's {@code histogram_quantile} does: linear within the
 * bucket the rank falls in, from 0 for the first bucket; a rank in the +Inf bucket answers the
 * highest finite bound. With nothing observed a quantile is NaN (no answer, not zero).
 */
public record MetricsWindow(
        long fromMillis,
        long toMillis,
        double requests,
        double errors,
        double latencyP50,
        double latencyP99,
        double overheadP50,
        double overheadP99,
        double promptTokens,
        double completionTokens,
        double costUsd) {

    static MetricsWindow between(MetricsSample from, MetricsSample to) {
        long[] latency = minus(to.latency(), from.latency());
        long[] overhead = minus(to.overhead(), from.overhead());
        return new MetricsWindow(
                from.atMillis(),
                to.atMillis(),
                nonNegative(to.requests() - from.requests()),
                nonNegative(to.errors() - from.errors()),
                quantile(0.5, MetricsSample.LATENCY_BOUNDS, latency),
                quantile(0.99, MetricsSample.LATENCY_BOUNDS, latency),
                quantile(0.5, MetricsSample.OVERHEAD_BOUNDS, overhead),
                quantile(0.99, MetricsSample.OVERHEAD_BOUNDS, overhead),
                nonNegative(to.promptTokens() - from.promptTokens()),
                nonNegative(to.completionTokens() - from.completionTokens()),
                nonNegative(to.costUsd() - from.costUsd()));
    }

    /**
     * @param bounds ascending upper bounds, the last +Inf
     * @param counts per-bucket (not cumulative) counts, one per bound
     */
    static double quantile(double q, double[] bounds, long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && below + counts[i] >= rank) {
                if (Double.isInfinite(bounds[i])) {
                    return i == 0 ? Double.NaN : bounds[i - 1];
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * (rank - below) / counts[i];
            }
            below += counts[i];
        }
        return bounds[bounds.length - 2];
    }

    /** Bucket by bucket; a count that went down (it cannot, in one process) counts as none. */
    static long[] minus(long[] to, long[] from) {
        long[] d = new long[to.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0, to[i] - from[i]);
        }
        return d;
    }

    private static double nonNegative(double d) {
        return Math.max(0, d);
    }
}
