package io.aigw.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.routing.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The contract on the in-process store, on a virtual clock that starts near the end of nanoTime's range. */
class LocalLimitStoreTest extends LimitStoreContract {
    private final AtomicLong now =
            new AtomicLong(Long.MAX_VALUE - Duration.ofSeconds(5).toNanos());
    private final Clock clock = now::get;
    private final long startNanos = now.get();
    /** The wall clock the virtual one drives: late in a UTC day, late in a month. */
    private static final Instant START = Instant.parse("2026-12-31T22:30:00Z");

    private LocalLimitStore local;

    @Override
    protected LimitStore openEmpty() {
        local = new LocalLimitStore(clock, Duration.ofMinutes(5), () -> now().toEpochMilli());
        return local;
    }

    @Override
    protected Instant now() {
        return START.plusNanos(now.get() - startNanos);
    }

    @Override
    protected void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Override
    protected Duration slack() {
        return Duration.ZERO;
    }

    @Test
    void anAcquireIsDecidedBeforeItReturns() {
        Limit l = Limit.of("key:1:rpm", 1, MINUTE);
        assertTrue(store.acquire(List.of(l.cost(1))).toCompletableFuture().isDone());
    }

    @Test
    void drainedScopesAreEvicted() {
        for (int i = 0; i < 1000; i++) {
            assertTrue(acquire(Limit.of("ip:" + i + ":rpm", 10, MINUTE).cost(1)).allowed());
        }
        Limit busy = Limit.of("key:busy:rpm", 1, Duration.ofMinutes(10));
        assertTrue(acquire(busy.cost(1)).allowed());
        assertEquals(1001, local.size());
        advance(Duration.ofSeconds(5));
        assertEquals(0, local.evictIdle(), "nothing drained yet");
        advance(Duration.ofMinutes(1));
        assertEquals(1000, local.evictIdle());
        assertEquals(1, local.size());
        // The busy scope kept its debt.
        assertFalse(acquire(busy.cost(1)).allowed());
    }

    @Test
    void acquiresSweepOnTheirOwnOncePerInterval() {
        LocalLimitStore s = new LocalLimitStore(clock, Duration.ofSeconds(30));
        for (int i = 0; i < 100; i++) {
            acquire(s, Limit.of("ip:" + i + ":rpm", 1, Duration.ofSeconds(1)).cost(1));
        }
        assertEquals(100, s.size());
        advance(Duration.ofSeconds(31));
        acquire(s, Limit.of("global:rpm", 1, Duration.ofSeconds(1)).cost(1));
        assertEquals(1, s.size());
        s.close();
    }

    @Test
    void subMillisecondTimeIsNotLost() {
        Limit l = Limit.of("key:1:rpm", 1000, Duration.ofSeconds(1)); // one unit per ms
        assertTrue(acquire(l.cost(1000)).allowed());
        for (int i = 0; i < 10; i++) {
            advance(Duration.ofNanos(600_000));
            acquire(l.cost(0));
        }
        // 6 ms passed in 0.6 ms steps: 6 units refilled, not 0 or 10.
        assertEquals(6, acquire(l.cost(0)).results().get(0).remaining());
    }

    @Test
    void evictionRacingAcquiresLosesNothing() throws Exception {
        Limit l = Limit.of("global:rpm", 200, HOUR);
        Thread sweeper = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                local.evictIdle();
            }
        });
        sweeper.start();
        try {
            assertEquals(200, countAllowed(List.of(store), l, 4, 100));
        } finally {
            sweeper.interrupt();
            sweeper.join(5000);
        }
    }

    @Test
    void aQuotaPeriodIsForgottenAnHourAfterItEnds() {
        Limit today = Limit.dailyQuota("key:1:tpd", 3, now());
        assertTrue(acquire(today.cost(3)).allowed());
        Limit par = Limit.parallel("key:1:parallel", 2, Duration.ofMinutes(1));
        assertTrue(acquire(par.lease("a")).allowed());
        assertTrue(acquire(par.lease("b")).allowed());
        assertEquals(0, local.evictIdle(), "the quota is spent and the leases held");
        release(par, "a");
        assertEquals(0, local.evictIdle(), "one lease still held");
        release(par, "b");
        assertEquals(1, local.evictIdle(), "no lease held");
        // Past midnight (1.5 h away), a lagging caller still counts against the old day for an hour.
        advance(Duration.ofMinutes(91));
        assertFalse(acquire(today.cost(1)).allowed());
        assertEquals(Duration.ZERO, acquire(today.cost(1)).results().get(0).reset());
        assertEquals(0, local.evictIdle());
        advance(Duration.ofMinutes(60));
        assertEquals(1, local.evictIdle());
        assertEquals(0, local.size());
    }

    @Test
    void anExpiredLeaseStateIsEvicted() {
        Limit par = Limit.parallel("key:2:parallel", 1, Duration.ofSeconds(10));
        assertTrue(acquire(par.lease("crashed")).allowed());
        advance(Duration.ofSeconds(9));
        assertEquals(0, local.evictIdle());
        advance(Duration.ofSeconds(1));
        assertEquals(1, local.evictIdle());
        assertTrue(acquire(par.lease("next")).allowed());
    }

    @Test
    void theWallClockFollowsTheMonotonicOne() {
        AtomicLong nanos = new AtomicLong(Long.MIN_VALUE + 5);
        long before = System.currentTimeMillis();
        LocalLimitStore s = new LocalLimitStore(nanos::get, Duration.ofMinutes(5));
        Limit today = Limit.dailyQuota("key:1:tpd", 1, Instant.ofEpochMilli(before));
        Duration reset = acquire(s, today.cost(1)).results().get(0).reset();
        long expected = today.periodEndMillis() - before;
        assertTrue(reset.toMillis() <= expected && reset.toMillis() > expected - 1000, reset.toString());
        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        Duration later = acquire(s, today.cost(0)).results().get(0).reset();
        assertTrue(
                later.toMillis() <= Math.max(0, expected - 600_000) && later.toMillis() > expected - 601_000,
                later.toString());
        s.close();
    }
}
