package io.aigw.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.routing.CircuitBreaker.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private static final long COOLDOWN = Duration.ofSeconds(600).toNanos();

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.withDefaults();

    private long now() {
        return clock.nanoTime();
    }

    private void fail(int n) {
        for (int i = 0; i < n; i++) {
            assertTrue(breaker.tryAcquire(now()));
            breaker.onFailure(now());
        }
    }

    @Test
    void defaultsAreThreeFailuresAndTenMinutes() {
        assertEquals(3, breaker.policy().failures());
        assertEquals(Duration.ofSeconds(600), breaker.policy().cooldown());
    }

    @Test
    void opensAfterThreeConsecutiveFailures() {
        fail(2);
        assertEquals(State.CLOSED, breaker.state(now()));
        assertEquals(2, breaker.consecutiveFailures());
        fail(1);
        assertEquals(State.OPEN, breaker.state(now()));
        assertFalse(breaker.tryAcquire(now()));
        assertEquals(COOLDOWN, breaker.remainingNanos(now()));
    }

    @Test
    void successResetsTheConsecutiveCount() {
        fail(2);
        breaker.onSuccess(now());
        assertEquals(0, breaker.consecutiveFailures());
        fail(2);
        assertEquals(State.CLOSED, breaker.state(now()));
    }

    @Test
    void staysOpenUntilTheCooldownEnds() {
        fail(3);
        clock.advanceNanos(COOLDOWN - 1);
        assertEquals(State.OPEN, breaker.state(now()));
        assertFalse(breaker.tryAcquire(now()));
        assertEquals(1, breaker.remainingNanos(now()));
        clock.advanceNanos(1);
        assertEquals(State.HALF_OPEN, breaker.state(now()));
        assertEquals(0, breaker.remainingNanos(now()));
    }

    @Test
    void halfOpenAdmitsExactlyOneProbe() {
        fail(3);
        clock.advanceNanos(COOLDOWN);
        assertTrue(breaker.isAvailable(now()));
        assertTrue(breaker.tryAcquire(now()));
        assertTrue(breaker.probeInFlight());
        assertFalse(breaker.isAvailable(now()));
        assertFalse(breaker.tryAcquire(now()), "second concurrent probe must be refused");
        assertFalse(breaker.tryAcquire(now()));
        assertEquals(State.HALF_OPEN, breaker.state(now()));
    }

    @Test
    void probeSuccessCloses() {
        fail(3);
        clock.advanceNanos(COOLDOWN);
        assertTrue(breaker.tryAcquire(now()));
        breaker.onSuccess(now());
        assertEquals(State.CLOSED, breaker.state(now()));
        assertEquals(0, breaker.consecutiveFailures());
        assertTrue(breaker.tryAcquire(now()));
        assertTrue(breaker.tryAcquire(now()));
    }

    @Test
    void probeFailureReopensWithAFreshCooldown() {
        fail(3);
        clock.advanceNanos(COOLDOWN + 5_000);
        assertTrue(breaker.tryAcquire(now()));
        clock.advance(Duration.ofSeconds(2));
        breaker.onFailure(now());
        assertEquals(State.OPEN, breaker.state(now()));
        assertEquals(COOLDOWN, breaker.remainingNanos(now()));
        clock.advanceNanos(COOLDOWN - 1);
        assertFalse(breaker.tryAcquire(now()));
        clock.advanceNanos(1);
        assertTrue(breaker.tryAcquire(now()));
    }

    @Test
    void releaseGivesTheProbeSlotBack() {
        fail(3);
        clock.advanceNanos(COOLDOWN);
        assertTrue(breaker.tryAcquire(now()));
        breaker.release();
        assertEquals(State.HALF_OPEN, breaker.state(now()));
        assertTrue(breaker.tryAcquire(now()));
    }

    @Test
    void lateRepliesWhileOpenAreIgnored() {
        fail(3);
        breaker.onSuccess(now());
        assertEquals(State.OPEN, breaker.state(now()));
        clock.advance(Duration.ofSeconds(100));
        breaker.onFailure(now());
        assertEquals(COOLDOWN - Duration.ofSeconds(100).toNanos(), breaker.remainingNanos(now()));
    }

    @Test
    void retryAfterCoolsWithoutCountingTowardOpening() {
        long wait = Duration.ofSeconds(20).toNanos();
        fail(2);
        breaker.coolFor(wait, now());
        assertEquals(State.COOLING, breaker.state(now()));
        assertEquals(2, breaker.consecutiveFailures());
        assertFalse(breaker.tryAcquire(now()));
        assertFalse(breaker.isAvailable(now()));
        assertEquals(wait, breaker.remainingNanos(now()));
        clock.advanceNanos(wait);
        assertEquals(State.CLOSED, breaker.state(now()));
        assertTrue(breaker.tryAcquire(now()));
        breaker.coolFor(wait, now());
        breaker.coolFor(wait, now());
        clock.advanceNanos(wait);
        assertEquals(State.CLOSED, breaker.state(now()), "repeated 429s never open the breaker");
    }

    @Test
    void shorterCoolingDoesNotShortenALongerOne() {
        breaker.coolFor(Duration.ofSeconds(30).toNanos(), now());
        breaker.coolFor(Duration.ofSeconds(1).toNanos(), now());
        assertEquals(Duration.ofSeconds(30).toNanos(), breaker.remainingNanos(now()));
    }

    @Test
    void coolingAHalfOpenProbeKeepsTheBreakerShutForThatLong() {
        fail(3);
        clock.advanceNanos(COOLDOWN);
        assertTrue(breaker.tryAcquire(now()));
        breaker.coolFor(Duration.ofSeconds(5).toNanos(), now());
        assertEquals(State.OPEN, breaker.state(now()));
        assertFalse(breaker.tryAcquire(now()));
        clock.advance(Duration.ofSeconds(5));
        assertEquals(State.HALF_OPEN, breaker.state(now()));
        assertTrue(breaker.tryAcquire(now()));
    }

    @Test
    void disableEnableReset() {
        breaker.disable();
        assertEquals(State.DISABLED, breaker.state(now()));
        assertFalse(breaker.tryAcquire(now()));
        assertEquals(Long.MAX_VALUE, breaker.remainingNanos(now()));
        clock.advanceNanos(COOLDOWN * 10);
        assertFalse(breaker.tryAcquire(now()), "disabled never recovers on its own");

        breaker.enable();
        assertEquals(State.CLOSED, breaker.state(now()));
        for (int i = 0; i < 10; i++) {
            assertTrue(breaker.tryAcquire(now()));
            breaker.onFailure(now());
        }
        breaker.coolFor(COOLDOWN, now());
        assertEquals(State.CLOSED, breaker.state(now()), "force-closed never opens nor cools");
        assertTrue(breaker.tryAcquire(now()));

        breaker.reset();
        assertEquals(0, breaker.consecutiveFailures());
        fail(3);
        assertEquals(State.OPEN, breaker.state(now()), "after reset the breaker works normally again");
        breaker.reset();
        assertEquals(State.CLOSED, breaker.state(now()));
        assertTrue(breaker.tryAcquire(now()));
    }

    @Test
    void customPolicy() {
        CircuitBreaker b = CircuitBreaker.of(BreakerPolicy.of(1, Duration.ofSeconds(1)));
        b.onFailure(now());
        assertEquals(State.OPEN, b.state(now()));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(State.HALF_OPEN, b.state(now()));
    }

    @Test
    void aRetryAfterCoolsNoLongerThanMaxRetryAfter() {
        CircuitBreaker b = CircuitBreaker.of(BreakerPolicy.of(3, Duration.ofSeconds(60), Duration.ofSeconds(5)));
        b.coolFor(Duration.ofDays(11).toNanos(), now());
        assertEquals(State.COOLING, b.state(now()));
        assertEquals(Duration.ofSeconds(5).toNanos(), b.remainingNanos(now()));
        CircuitBreaker byDefault = CircuitBreaker.of(BreakerPolicy.of(3, Duration.ofSeconds(60)));
        byDefault.coolFor(Long.MAX_VALUE, now());
        assertEquals(Duration.ofSeconds(60).toNanos(), byDefault.remainingNanos(now()), "capped at the cooldown");
    }

    /** Threads race for the probe of a breaker that never closes: at most one probe may ever be outstanding. */
    @Test
    void concurrentProbesNeverExceedOne() throws Exception {
        CircuitBreaker b = CircuitBreaker.of(BreakerPolicy.of(1, Duration.ofNanos(10)));
        ManualClock c = new ManualClock();
        b.onFailure(c.nanoTime());
        int threads = 8;
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        AtomicInteger probes = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        c.advanceNanos(1);
                        if (b.tryAcquire(c.nanoTime())) {
                            int a = active.incrementAndGet();
                            maxActive.accumulateAndGet(a, Math::max);
                            probes.incrementAndGet();
                            active.decrementAndGet();
                            b.onFailure(c.nanoTime());
                        }
                        State s = b.state(c.nanoTime());
                        if (s != State.OPEN && s != State.HALF_OPEN) {
                            throw new AssertionError("breaker that only fails must stay open: " + s);
                        }
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) {
            th.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        assertEquals(1, maxActive.get(), "more than one half-open probe was outstanding");
        assertTrue(probes.get() > 0);
    }

    /** Mixed successes, failures and acquires from several threads: the state stays coherent and recovers. */
    @Test
    void hammeringKeepsInvariants() throws Exception {
        CircuitBreaker b = CircuitBreaker.of(BreakerPolicy.of(3, Duration.ofNanos(50)));
        ManualClock c = new ManualClock();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            long seed = t;
            Thread th = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        long now = c.advanceNanos(1);
                        if (b.tryAcquire(now)) {
                            if (rnd.nextInt(3) == 0) {
                                b.onSuccess(c.nanoTime());
                            } else {
                                b.onFailure(c.nanoTime());
                            }
                        }
                        if (b.consecutiveFailures() < 0) {
                            throw new AssertionError("negative failure count");
                        }
                        // Any opener read the clock before our 'after' read, so until <= after + cooldown.
                        long before = c.nanoTime();
                        long remaining = b.remainingNanos(before);
                        long after = c.nanoTime();
                        if (remaining > 50 + (after - before)) {
                            throw new AssertionError("remaining beyond cooldown: " + remaining + " " + b);
                        }
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) {
            th.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        // Quiescent: the breaker still follows the rules.
        c.advanceNanos(1_000);
        State s = b.state(c.nanoTime());
        assertTrue(s == State.CLOSED || s == State.HALF_OPEN, "after the cooldown: " + s);
        if (b.probeInFlight()) {
            b.release();
        }
        assertTrue(b.tryAcquire(c.nanoTime()));
        b.onSuccess(c.nanoTime());
        assertEquals(State.CLOSED, b.state(c.nanoTime()));
        for (int i = 0; i < 3; i++) {
            b.onFailure(c.nanoTime());
        }
        assertEquals(State.OPEN, b.state(c.nanoTime()));
    }

    @Test
    void underANewPolicyTheBreakerKeepsWhereItWas() {
        fail(3);
        CircuitBreaker next = breaker.withPolicy(BreakerPolicy.of(5, Duration.ofSeconds(1)));
        assertEquals(5, next.policy().failures());
        assertEquals(State.OPEN, next.state(now()), "open stays open, until the old deadline");
        assertEquals(3, next.consecutiveFailures());
        clock.advance(Duration.ofNanos(COOLDOWN));
        assertEquals(State.HALF_OPEN, next.state(now()));

        breaker.disable();
        assertEquals(
                State.DISABLED, breaker.withPolicy(BreakerPolicy.defaults()).state(now()), "overrides too");
        breaker.enable();
        assertEquals(State.CLOSED, breaker.withPolicy(BreakerPolicy.defaults()).state(now()));
    }
}
