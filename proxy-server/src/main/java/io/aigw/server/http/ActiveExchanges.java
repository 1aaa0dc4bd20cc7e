package io.aigw.server.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts exchanges in flight across all connections, so a stop can let them finish. The event
 * loops only touch an atomic counter; the monitor is used only while a stop is waiting.
 */
public final class ActiveExchanges {
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean draining;

    void started() {
        count.incrementAndGet();
    }

    void ended() {
        if (count.decrementAndGet() == 0 && draining) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    public int count() {
        return count.get();
    }

    /** Waits (on the stopping thread, never an event loop) until none is in flight or the grace is over. */
    public boolean awaitNone(Duration grace) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (this) {
            while (count.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return true;
    }
}
