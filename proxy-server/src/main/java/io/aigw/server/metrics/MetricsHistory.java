package io.aigw.server.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * About an hour of {@link MetricsSample}s, one every {@value #INTERVAL_SECONDS} s, so the console
 * can show "the last hour" although Prometheus counters only ever hold totals since start. Sampling
 * reads the registry on a daemon thread of its own, never on an event loop.
 *
 * <p>A summary diffs a fresh sample against the newest one at least the window old; while the
 * process is younger than the window it diffs against the first sample (taken at start, all zero)
 * and says how much time it actually covers.
 */
public final class MetricsHistory implements AutoCloseable {
    public static final int INTERVAL_SECONDS = 10;
    /** The longest window answered. */
    public static final int MAX_WINDOW_SECONDS = 3600;

    private static final Logger log = LoggerFactory.getLogger(MetricsHistory.class);

    private final Supplier<MetricsSample> reader;
    private final int capacity;
    /** Oldest first; guarded by this. */
    private final ArrayDeque<MetricsSample> samples = new ArrayDeque<>();

    private ScheduledExecutorService sampler;

    MetricsHistory(Supplier<MetricsSample> reader, int capacity) {
        this.reader = reader;
        this.capacity = capacity;
    }

    /** Samples {@code registry} now and every {@value #INTERVAL_SECONDS} s until closed. */
    public static MetricsHistory start(PrometheusRegistry registry) {
        return start(registry, System::currentTimeMillis);
    }

    static MetricsHistory start(PrometheusRegistry registry, LongSupplier clock) {
        MetricsHistory h = new MetricsHistory(
                () -> MetricsSample.of(clock.getAsLong(), registry.scrape(MetricsSample.NAMES::contains)),
                MAX_WINDOW_SECONDS / INTERVAL_SECONDS + 2);
        h.record();
        h.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aigw-metrics-history");
            t.setDaemon(true);
            return t;
        });
        h.sampler.scheduleAtFixedRate(h::recordQuietly, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
        return h;
    }

    /** Takes a sample and keeps it, dropping the oldest beyond the capacity. */
    void record() {
        MetricsSample s = reader.get();
        synchronized (this) {
            samples.addLast(s);
            while (samples.size() > capacity) {
                samples.removeFirst();
            }
        }
    }

    private void recordQuietly() {
        try {
            record();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: one missed sample is better than no history.
            log.warn("sampling the metrics failed: {}", e.toString());
        }
    }

    /** The last {@code windowSeconds} (or less, see the class comment), ending now. Blocks on a scrape. */
    public MetricsWindow summary(int windowSeconds) {
        MetricsSample now = reader.get();
        return MetricsWindow.between(baseline(now.atMillis() - windowSeconds * 1000L, now), now);
    }

    /** The newest sample taken at or before {@code cutoff}, else the oldest one (else {@code now}). */
    synchronized MetricsSample baseline(long cutoff, MetricsSample now) {
        MetricsSample found = null;
        for (Iterator<MetricsSample> it = samples.descendingIterator(); it.hasNext(); ) {
            MetricsSample s = it.next();
            found = s;
            if (s.atMillis() <= cutoff) {
                break;
            }
        }
        return found == null ? now : found;
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }
}
