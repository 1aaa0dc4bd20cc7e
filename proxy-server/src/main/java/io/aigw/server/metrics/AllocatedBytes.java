package io.aigw.server.metrics;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;

/**
 * Heap bytes the JVM's threads have allocated since it started, read when scraped: the bench's
 * bytes per request (a delta over a phase divided by its requests). The JVM's own
 * {@code jvm_memory_pool_allocated_bytes_total} moves only when a collection ends, too coarse for a
 * phase of a few seconds; HotSpot's per-thread counters (TLAB refills and outside-TLAB allocations)
 * are current to the last TLAB.
 */
final class AllocatedBytes {
    /**
     * {@code getTotalThreadAllocatedBytes()}, looked up rather than called: it came with JDK 21 and was
     * backported to 17.0.9, so JDK 17 GA has no such method (a direct call fails there with
     * NoSuchMethodError) and {@code --release 17} on a newer JDK does not compile it. Null without it.
     */
    private static final MethodHandle TOTAL = totalHandle();

    private final com.sun.management.ThreadMXBean threads;
    private final boolean total;

    private AllocatedBytes(com.sun.management.ThreadMXBean threads, boolean total) {
        this.threads = threads;
        this.total = total;
    }

    /** The counter, or null where the JVM does not count allocation per thread. */
    static AllocatedBytes create() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)
                || !t.isThreadAllocatedMemorySupported()) {
            return null;
        }
        if (!t.isThreadAllocatedMemoryEnabled()) {
            t.setThreadAllocatedMemoryEnabled(true);
        }
        // The total keeps the bytes of threads that have ended; it is -1 where unsupported.
        return new AllocatedBytes(t, total(t) >= 0);
    }

    private static MethodHandle totalHandle() {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(
                            com.sun.management.ThreadMXBean.class,
                            "getTotalThreadAllocatedBytes",
                            MethodType.methodType(long.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** The JVM's total, or -1 where it has none. */
    private static long total(com.sun.management.ThreadMXBean threads) {
        if (TOTAL == null) {
            return -1;
        }
        try {
            return (long) TOTAL.invokeExact(threads);
        } catch (UnsupportedOperationException e) {
            return -1;
        } catch (Throwable e) {
            throw new IllegalStateException("getTotalThreadAllocatedBytes failed", e);
        }
    }

    /**
     * The bytes allocated so far. Without the JVM's total it is the sum over the live threads, which
     * drops by a thread's count when that thread ends: aigw's event loops and workers live as long as
     * the process, so over a bench phase the sum still moves by what the phase allocated.
     */
    long read() {
        if (total) {
            long t = total(threads);
            if (t >= 0) {
                return t;
            }
        }
        long sum = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }
}
