package io.aigw.server.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The response bytes all upstream calls together may hold in memory ({@code upstream.max_buffered_bytes}):
 * unfinished stream events and plain answers being collected. Each call caps its own share, but
 * without a sum many oversized answers at once could take the process's memory. Every held byte is
 * reserved here and released when it is let go; a call that cannot reserve fails at once.
 *
 * <p>One atomic counter shared by the event loops: no lock, and nothing waits.
 */
public final class BufferBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public BufferBudget(long limit) {
        this.limit = limit;
    }

    /** No limit: for uses without a configuration. */
    public static BufferBudget unlimited() {
        return new BufferBudget(Long.MAX_VALUE);
    }

    /** Takes {@code bytes} from the budget if they fit; false (taking nothing) if they do not. */
    boolean tryReserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (bytes > limit - now) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long limit() {
        return limit;
    }

    /** Bytes reserved now, across all calls. */
    public long used() {
        return used.get();
    }
}
