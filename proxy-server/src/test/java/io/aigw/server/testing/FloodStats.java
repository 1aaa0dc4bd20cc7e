package io.aigw.server.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Progress of one {@link Reply#flood} response; written on the event loop, read from any thread. */
public final class FloodStats {

    final int chunkBytes;
    final long maxBytes;
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicInteger timesNotWritable = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch complete = new CountDownLatch(1);

    FloodStats(int chunkBytes, long maxBytes) {
        if (chunkBytes < 1 || maxBytes < 0) {
            throw new IllegalArgumentException("chunkBytes=" + chunkBytes + " maxBytes=" + maxBytes);
        }
        this.chunkBytes = chunkBytes;
        this.maxBytes = maxBytes;
    }

    /** Response body bytes handed to the channel so far (SSE events including the final [DONE]). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** How many times the writer stopped because the channel became unwritable. */
    public int timesNotWritable() {
        return timesNotWritable.get();
    }

    /** The whole body, including the last chunk, has been written to the socket. */
    public boolean isComplete() {
        return complete.getCount() == 0;
    }

    public boolean awaitComplete(Duration timeout) {
        try {
            return complete.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    void markStarted() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a Reply.flood(...) serves one request; create a new one");
        }
    }

    void addWritten(long n) {
        bytesWritten.addAndGet(n);
    }

    void notWritable() {
        timesNotWritable.incrementAndGet();
    }

    void markComplete() {
        complete.countDown();
    }

    @Override
    public String toString() {
        return "FloodStats[written=" + bytesWritten() + "/" + maxBytes + ", notWritable=" + timesNotWritable()
                + ", complete=" + isComplete() + "]";
    }
}
