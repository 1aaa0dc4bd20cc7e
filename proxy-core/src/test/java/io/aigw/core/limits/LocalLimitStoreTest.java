package io.aigw.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.routing.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The contract on the in-process store, on a virtual clock that starts near the end of nanoTime's range. */
class LocalLimitStoreTest extends LimitStoreContract {
    private final AtomicLong now =
            new AtomicLong(Long.MAX_VALUE - Duration.ofSeconds(5).toNanos());
    private final Clock clock = now::get;
    private LocalLimitStore local;

    @Override
    protected LimitStore openEmpty() {
        local = new LocalLimitStore(clock, Duration.ofMinutes(5));
        return local;
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
}
