package io.aigw.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock();

    @Test
    void initialEstimateBeforeAnySample() {
        LatencyTracker t = LatencyTracker.of(Duration.ofSeconds(10), Duration.ofMillis(300));
        assertEquals(300 * MS, t.ewmaNanos(), 1);
        assertEquals(0, t.cost(clock.nanoTime()), 0, "untried and idle: explored first");
        t.onStart();
        assertEquals(600 * MS, t.cost(clock.nanoTime()), 1, "its probe in flight: the initial estimate applies");
    }

    @Test
    void firstSampleReplacesTheInitialEstimateEvenIfLower() {
        LatencyTracker t = LatencyTracker.withDefaults();
        t.onStart();
        assertFalse(t.sampled(), "the initial estimate is not a measurement");
        t.onFinish(20 * MS, clock.nanoTime());
        assertEquals(20 * MS, t.ewmaNanos(), 1);
        assertTrue(t.sampled());
    }

    @Test
    void anAbortedRequestIsNoSample() {
        LatencyTracker t = LatencyTracker.withDefaults();
        t.onStart();
        t.onAbort();
        assertFalse(t.sampled());
    }

    @Test
    void peakReplacesImmediatelyAndLowerSamplesDecayWithTime() {
        LatencyTracker t = LatencyTracker.of(Duration.ofSeconds(10), Duration.ofMillis(1));
        t.observe(100 * MS, clock.nanoTime());
        t.observe(1000 * MS, clock.nanoTime());
        assertEquals(1000 * MS, t.ewmaNanos(), 1, "a peak replaces the estimate at once");

        // Immediately after: weight exp(0) = 1, a lower sample does not move it.
        t.observe(100 * MS, clock.nanoTime());
        assertEquals(1000 * MS, t.ewmaNanos(), 1);

        // One time constant later: w = 1/e.
        long now = clock.advance(Duration.ofSeconds(10));
        t.observe(100 * MS, now);
        double w = Math.exp(-1);
        assertEquals(1000 * MS * w + 100 * MS * (1 - w), t.ewmaNanos(), 1000);

        // Long after: converges to the new level.
        now = clock.advance(Duration.ofSeconds(1000));
        t.observe(100 * MS, now);
        assertEquals(100 * MS, t.ewmaNanos(), 1000);
    }

    @Test
    void costIsEwmaTimesInFlightPlusOne() {
        LatencyTracker t = LatencyTracker.withDefaults();
        t.observe(50 * MS, clock.nanoTime());
        t.onStart();
        t.onStart();
        assertEquals(2, t.inFlight());
        assertEquals(150 * MS, t.cost(clock.nanoTime()), 1);
        t.onAbort();
        t.onFinish(50 * MS, clock.nanoTime());
        assertEquals(0, t.inFlight());
        t.onAbort();
        assertEquals(0, t.inFlight(), "in-flight never goes negative");
        // Nothing in flight: the cost is the EWMA alone, which two 50 ms samples left at 50 ms.
        assertEquals(50 * MS, t.cost(clock.nanoTime()), 1);
    }
}
