package io.aigw.core.log;

import io.aigw.core.config.RequestLogConfig;
import java.time.Duration;

/** Where event loops hand finished exchanges; {@link #offer} never blocks. */
public interface RequestLog extends AutoCloseable {

    RequestLogConfig config();

    /** Queues the record (taking it over) or counts it as dropped; never blocks, never throws. */
    void offer(ExchangeRecord record);

    LogWriterStats stats();

    /**
     * {@code durability: wal}: an answer's last write should wait for its record's
     * {@link ExchangeRecord#onDurable}. Otherwise records are offered once the answer is out.
     */
    default boolean holdsAnswers() {
        return false;
    }

    /**
     * A reload's {@code retention_days} ({@link Duration#ZERO}: keep everything): rows older than it
     * are deleted from now on. Nothing to do for a log without a store.
     */
    default void retention(Duration retention) {}

    /** The store to read rows back from, or null when there is none ({@code off}, {@code stdout}). */
    default LogStore readableStore() {
        return null;
    }

    /** Writes what is queued (bounded in time) and releases the store. */
    @Override
    void close();

    /** {@code store: off}: nothing is gathered, nothing is written. */
    static RequestLog off(RequestLogConfig config) {
        LogWriterStats stats = new LogWriterStats();
        return new RequestLog() {
            @Override
            public RequestLogConfig config() {
                return config;
            }

            @Override
            public void offer(ExchangeRecord record) {}

            @Override
            public LogWriterStats stats() {
                return stats;
            }

            @Override
            public void close() {}
        };
    }
}
