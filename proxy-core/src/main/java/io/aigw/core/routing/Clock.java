package io.aigw.core.routing;

/**
 * Monotonic time source in nanoseconds, injected so breakers, latency trackers and retry deadlines can be
 * tested without sleeping. Values are only meaningful relative to each other (compare with {@code a - b}).
 */
@FunctionalInterface
public interface Clock {

    long nanoTime();

    /** {@link System#nanoTime()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** The singleton behind {@link #system()}. */
    enum SystemClock implements Clock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    }
}
