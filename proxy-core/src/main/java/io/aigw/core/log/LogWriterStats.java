package io.aigw.core.log;

import java.util.concurrent.atomic.LongAdder;

/**
 * The writer's counters (cumulative). {@code dropped} grows only when a record could not even be
 * spilled: the queue was full, the spill file failed, a spilled line was unreadable, or the store
 * refused a row even with its JSON columns as text. {@code refused} counts rows the store refused
 * for their data at all (most are then written as text): an alarm, as no client input should.
 */
public final class LogWriterStats {
    final LongAdder queued = new LongAdder();
    final LongAdder written = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder spilled = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder dropped = new LongAdder();
    /** Rows the store refused for their data (kept as text if it then took them): each one a bug. */
    final LongAdder refused = new LongAdder();

    /** With the WAL: group commits (one fsync each), the rows they forced, and rows it failed to. */
    final LongAdder walCommits = new LongAdder();

    final LongAdder walRows = new LongAdder();
    final LongAdder walFailed = new LongAdder();

    public long queued() {
        return queued.sum();
    }

    public long written() {
        return written.sum();
    }

    public long batches() {
        return batches.sum();
    }

    public long spilled() {
        return spilled.sum();
    }

    public long replayed() {
        return replayed.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long walCommits() {
        return walCommits.sum();
    }

    public long walRows() {
        return walRows.sum();
    }

    /** Records whose answers went out without them on disk: the write-ahead log failed. */
    public long walFailed() {
        return walFailed.sum();
    }

    @Override
    public String toString() {
        String wal = walCommits() + walFailed() == 0
                ? ""
                : " wal_commits=" + walCommits() + " wal_rows=" + walRows() + " wal_failed=" + walFailed();
        return "queued=" + queued() + " written=" + written() + " batches=" + batches() + " spilled=" + spilled()
                + " replayed=" + replayed() + " dropped=" + dropped() + " refused=" + refused() + wal;
    }
}
