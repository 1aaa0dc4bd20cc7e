package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Store;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review findings on the writer: replay under steady traffic, and a stop that outlasts the drain timeout. */
class RequestLogWriterReviewTest {
    @TempDir
    Path dir;

    /** A store whose inserts take a few milliseconds, as a real database's do; it can be down or stuck. */
    static final class SlowStore implements LogStore {
        final Set<String> stored = ConcurrentHashMap.newKeySet();
        volatile boolean up = true;
        volatile long insertMillis = 5;
        volatile CountDownLatch stuck;

        @Override
        public void migrate() throws SQLException {
            if (!up) {
                throw new SQLException("down", "08001");
            }
        }

        @Override
        public void insert(List<LogRow> rows) throws SQLException {
            CountDownLatch s = stuck;
            try {
                if (s != null) {
                    s.await(30, TimeUnit.SECONDS);
                }
                Thread.sleep(insertMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!up) {
                throw new SQLException("connection refused", "08001");
            }
            for (LogRow r : rows) {
                stored.add(r.requestId());
            }
        }

        @Override
        public boolean ping() {
            return up;
        }

        @Override
        public int deleteOlderThan(Instant cutoff, int limit) {
            return 0;
        }

        @Override
        public List<LogRow> query(LogQuery query) {
            return List.of();
        }

        @Override
        public void close() {}
    }

    private RequestLogConfig config(int batch, Duration drain) {
        return new RequestLogConfig(
                Store.SQLITE,
                Bodies.FULL,
                1024,
                dir.resolve("r.db"),
                null,
                Duration.ZERO,
                List.of(),
                Map.of(),
                4096,
                batch,
                Duration.ofMillis(20),
                dir.resolve("spill"),
                drain);
    }

    private static ExchangeRecord record(String id) {
        ExchangeRecord r = new ExchangeRecord();
        r.requestId = id;
        r.tsEpochMillis = System.currentTimeMillis();
        r.statusCode = 200;
        return r;
    }

    private static void await(java.util.function.BooleanSupplier c, long millis, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /**
     * After an outage the spill is replayed only when the queue is found empty right after a live
     * batch. With inserts that take a few ms and a steady trickle of traffic (one record every 2 ms,
     * far below capacity) that never happens: the backlog waits for a lull or for the stop.
     */
    @Test
    void theSpillIsReplayedWhileTrafficKeepsFlowing() throws Exception {
        SlowStore store = new SlowStore();
        store.up = false;
        RequestLogWriter w =
                new RequestLogWriter(config(100, Duration.ofSeconds(10)), store, RowFallback::metadataOnly).start();
        AtomicBoolean traffic = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            int i = 0;
            while (traffic.get()) {
                w.offer(record("live-" + i++));
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        load.start();
        try {
            await(() -> w.stats().spilled() >= 200, 5_000, "an outage's worth of records spilled");
            store.up = true;
            await(w::storeUp, 5_000, "the probe to find the store back");
            long spilled = w.stats().spilled();
            await(
                    () -> w.stats().replayed() >= spilled,
                    5_000,
                    "the spill replayed under steady load (replayed "
                            + w.stats().replayed() + " of " + spilled + ")");
        } finally {
            traffic.set(false);
            load.join();
            w.close();
        }
    }

    /**
     * A store that hangs (a blackholed PostgreSQL holds a socket for socketTimeout=10 s, as long as
     * the default drain timeout) outlasts the stop: close() logs that the queue "is lost", yet
     * counts nothing, and returns while the writer thread still owns the batch, the spill and the store.
     */
    @Test
    void aStopThatOutlastsTheDrainTimeoutAccountsForEveryRecord() throws Exception {
        SlowStore store = new SlowStore();
        store.stuck = new CountDownLatch(1);
        RequestLogWriter w =
                new RequestLogWriter(config(5, Duration.ofMillis(300)), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 10; i++) {
            w.offer(record("r-" + i));
        }
        Thread.sleep(100); // the writer takes a first batch and hangs in insert
        w.close();
        LogWriterStats s = w.stats();
        try {
            assertEquals(
                    s.queued(),
                    s.written() + s.spilled() + s.dropped(),
                    "every queued record is written, spilled or counted as dropped by the time close returns: " + s);
        } finally {
            store.stuck.countDown();
        }
        Thread.sleep(200);
        assertEquals(
                s.queued(),
                s.written() + s.spilled() + s.dropped(),
                "a stuck insert that completes after close changes no count (its rows are in the spill too): " + s);
        assertEquals(0, s.dropped(), "nothing is lost: what the store did not confirm is spilled");
    }
}
