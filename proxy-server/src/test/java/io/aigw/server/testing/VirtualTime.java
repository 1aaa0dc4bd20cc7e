package io.aigw.server.testing;

import io.aigw.core.routing.Clock;
import io.aigw.server.routing.Waits;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told, and retry waits that move it instead of sleeping: a retry the
 * proxy schedules for a minute runs at once, with the clock a minute later. Breakers, cooldowns and
 * key health see the same clock, so a test can step past a 10-minute breaker cooldown in no time.
 */
public final class VirtualTime implements Clock, Waits {
    private final AtomicLong now = new AtomicLong(System.nanoTime());
    private final List<Long> waits = new ArrayList<>();

    @Override
    public long nanoTime() {
        return now.get();
    }

    public void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Override
    public void after(EventExecutor loop, long nanos, Runnable task) {
        synchronized (waits) {
            waits.add(nanos);
        }
        now.addAndGet(nanos);
        loop.execute(task);
    }

    /** Every wait the proxy asked for so far, in order. */
    public List<Duration> waits() {
        synchronized (waits) {
            return waits.stream().map(Duration::ofNanos).toList();
        }
    }
}
