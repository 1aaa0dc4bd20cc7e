package io.aigw.core.routing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} that only moves when told to. Starts near {@code Long.MAX_VALUE} to exercise wrap-around. */
final class ManualClock implements Clock {

    private final AtomicLong now;

    ManualClock() {
        this(Long.MAX_VALUE - Duration.ofSeconds(1000).toNanos());
    }

    ManualClock(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    long advance(Duration d) {
        return now.addAndGet(d.toNanos());
    }

    long advanceNanos(long nanos) {
        return now.addAndGet(nanos);
    }
}
