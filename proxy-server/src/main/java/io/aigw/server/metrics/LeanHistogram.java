package io.aigw.server.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A classic histogram whose {@link Child#observe} allocates nothing: the client library's
 * {@code Histogram.observe} makes a lambda and an {@code AtomicBoolean} per call (measured: about 30
 * bytes an observation), too much for six observations per request on the event loop. Buckets are
 * adders; the scrape turns them into the library's snapshot, so the exposition is the library's.
 */
final class LeanHistogram implements Collector {
    private final String name;
    private final String help;
    private final String[] labelNames;
    private final double[] upperBounds;
    private final ConcurrentHashMap<List<String>, Child> children = new ConcurrentHashMap<>();

    private LeanHistogram(String name, String help, String[] labelNames, double[] bounds) {
        this.name = name;
        this.help = help;
        this.labelNames = labelNames.clone();
        this.upperBounds = Arrays.copyOf(bounds, bounds.length + 1);
        upperBounds[bounds.length] = Double.POSITIVE_INFINITY;
    }

    static LeanHistogram register(
            PrometheusRegistry registry, String name, String help, double[] bounds, String... labelNames) {
        LeanHistogram h = new LeanHistogram(name, help, labelNames, bounds);
        registry.register(h);
        return h;
    }

    /** The child for these label values, made once; callers keep it (see {@link LazyChildren}). */
    Child labelValues(String... values) {
        if (values.length != labelNames.length) {
            throw new IllegalArgumentException(name + ": expected " + labelNames.length + " label values");
        }
        return children.computeIfAbsent(List.of(values), v -> new Child(upperBounds));
    }

    @Override
    public String getPrometheusName() {
        return name;
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
        children.forEach((values, child) -> {
            long[] counts = new long[upperBounds.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = child.buckets[i].sum();
            }
            b.dataPoint(HistogramDataPointSnapshot.builder()
                    .labels(Labels.of(labelNames, values.toArray(new String[0])))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, counts))
                    .sum(child.sum.sum())
                    .build());
        });
        return b.build();
    }

    /** One label set's buckets (not cumulative: the exposition adds them up). */
    static final class Child {
        private final double[] upperBounds;
        private final LongAdder[] buckets;
        private final DoubleAdder sum = new DoubleAdder();

        private Child(double[] upperBounds) {
            this.upperBounds = upperBounds;
            this.buckets = new LongAdder[upperBounds.length];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(double value) {
            if (Double.isNaN(value)) {
                return;
            }
            int i = Arrays.binarySearch(upperBounds, value);
            // Not found: the insertion point, the first bound above the value (+Inf at worst).
            buckets[i >= 0 ? i : -i - 1].increment();
            sum.add(value);
        }
    }
}
