package io.aigw.core.routing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-deployment peak-EWMA of time to first byte plus an in-flight count, as Finagle's and Linkerd's
 * {@code PeakEwma}: a sample above the current estimate replaces it at once (peak), a lower one is blended in
 * with weight {@code 1 - exp(-elapsed / tau)} so the estimate decays toward recent values with time constant
 * {@code tau}. {@link #cost(long)} is {@code ewma × (inFlight + 1)}.
 *
 * <p>Lock-free: the estimate and its timestamp live in one immutable value behind an {@link AtomicReference}.
 * Before the first sample the estimate is {@code initialNanos}, so an untried deployment is neither free
 * (which would send it every request until its first byte) nor shunned.
 */
public final class LatencyTracker {

    public static final Duration DEFAULT_DECAY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_INITIAL = Duration.ofMillis(500);

    private record Estimate(double ewmaNanos, long stamp, boolean sampled) {}

    private final double tauNanos;
    private final AtomicReference<Estimate> estimate;
    private final AtomicInteger inFlight = new AtomicInteger();

    private LatencyTracker(Duration decay, Duration initial) {
        if (decay.isNegative() || decay.isZero()) {
            throw new IllegalArgumentException("decay must be positive: " + decay);
        }
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial must not be negative: " + initial);
        }
        this.tauNanos = BreakerPolicy.saturatedNanos(decay);
        this.estimate = new AtomicReference<>(new Estimate(BreakerPolicy.saturatedNanos(initial), 0L, false));
    }

    /** Decay time constant 10 s, initial estimate 500 ms. */
    public static LatencyTracker withDefaults() {
        return new LatencyTracker(DEFAULT_DECAY, DEFAULT_INITIAL);
    }

    public static LatencyTracker of(Duration decay, Duration initial) {
        return new LatencyTracker(decay, initial);
    }

    /** A request to this deployment starts. */
    public void onStart() {
        inFlight.incrementAndGet();
    }

    /** A request finished (or produced its first byte) after {@code ttfbNanos}: decrements in-flight, records it. */
    public void onFinish(long ttfbNanos, long now) {
        decrementInFlight();
        observe(ttfbNanos, now);
    }

    /** A request ended without a latency sample (connect error, cancellation): decrements in-flight only. */
    public void onAbort() {
        decrementInFlight();
    }

    private void decrementInFlight() {
        inFlight.getAndUpdate(v -> v > 0 ? v - 1 : 0);
    }

    /** Records a sample without touching the in-flight count. */
    public void observe(long ttfbNanos, long now) {
        double rtt = Math.max(0L, ttfbNanos);
        for (; ; ) {
            Estimate e = estimate.get();
            double next;
            if (!e.sampled || rtt > e.ewmaNanos) {
                next = rtt;
            } else {
                double elapsed = Math.max(0L, now - e.stamp);
                double w = Math.exp(-elapsed / tauNanos);
                next = e.ewmaNanos * w + rtt * (1.0 - w);
            }
            if (estimate.compareAndSet(e, new Estimate(next, now, true))) {
                return;
            }
        }
    }

    /** Current estimate in nanoseconds (the initial value before the first sample). */
    public double ewmaNanos() {
        return estimate.get().ewmaNanos;
    }

    /** Whether a sample was recorded yet (before it, {@link #ewmaNanos()} is only the initial estimate). */
    public boolean sampled() {
        return estimate.get().sampled;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * {@code ewma × (inFlight + 1)}; lower is better. A deployment never measured and with nothing in
     * flight costs 0, so each is tried once: otherwise the first one measured, however slow, would
     * beat every untried one's initial estimate forever. Once its probe is in flight, the initial
     * estimate applies, so an untried deployment does not draw a whole burst.
     */
    public double cost(long now) {
        Estimate e = estimate.get();
        int active = inFlight.get();
        return !e.sampled && active == 0 ? 0 : e.ewmaNanos * (active + 1);
    }

    @Override
    public String toString() {
        return "LatencyTracker[ewmaNanos=" + ewmaNanos() + ", inFlight=" + inFlight() + "]";
    }
}
