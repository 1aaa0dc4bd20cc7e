package io.aigw.server.routing;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * How a retry waits before its next attempt: on the client connection's event loop, never blocking
 * it. Injected so tests can run a Retry-After of minutes on a virtual clock, without sleeping.
 */
@FunctionalInterface
public interface Waits {

    /** Runs {@code task} on {@code loop} after {@code nanos}. */
    void after(EventExecutor loop, long nanos, Runnable task);

    /** The event loop's own scheduler. */
    static Waits scheduled() {
        return (loop, nanos, task) -> loop.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }
}
