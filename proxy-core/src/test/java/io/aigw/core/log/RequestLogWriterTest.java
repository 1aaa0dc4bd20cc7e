package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestLogWriterTest {
    @TempDir
    Path dir;

    /** An in-memory store that can be taken down; counts how often each request id was stored. */
    static final class FakeStore implements LogStore {
        final Map<String, Integer> stored = new HashMap<>();
        final Map<String, LogRow> last = new HashMap<>();
        volatile boolean up = true;
        volatile boolean readOnly;
        final AtomicInteger batches = new AtomicInteger();
        /** The size of every batch stored, in order. */
        final List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void migrate() throws SQLException {
            if (!up) {
                throw new SQLException("down");
            }
        }

        @Override
        public synchronized void insert(List<LogRow> rows) throws SQLException {
            if (!up) {
                throw new SQLException("connection refused");
            }
            if (readOnly) {
                throw new SQLException("cannot execute INSERT in a read-only transaction", "25006");
            }
            for (LogRow r : rows) {
                if (r.requestId().equals("poison")) {
                    throw new SQLException("invalid input syntax for type json", "22P02");
                }
                if (r.requestId().equals("poison-json") && r.requestHeaders().startsWith("{")) {
                    throw new SQLException("unsupported Unicode escape sequence", "22P05");
                }
            }
            batches.incrementAndGet();
            sizes.add(rows.size());
            for (LogRow r : rows) {
                stored.merge(r.requestId(), 1, Integer::sum);
                last.put(r.requestId(), r);
            }
        }

        @Override
        public boolean ping() {
            return up;
        }

        final List<Instant> cutoffs = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger oldRows = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public int deleteOlderThan(Instant cutoff, int limit) {
            cutoffs.add(cutoff);
            // The retention task deletes, a test sets: one atomic step, never a lost update.
            return Math.min(limit, oldRows.getAndUpdate(left -> left - Math.min(limit, left)));
        }

        @Override
        public List<LogRow> query(LogQuery query) {
            return List.of();
        }

        @Override
        public void close() {}

        synchronized int distinct() {
            return stored.size();
        }

        synchronized boolean exactlyOnce() {
            return stored.values().stream().allMatch(v -> v == 1);
        }
    }

    private RequestLogConfig config(int capacity, int batch) {
        return new RequestLogConfig(
                Store.SQLITE,
                Bodies.FULL,
                1024,
                dir.resolve("r.db"),
                null,
                Duration.ZERO,
                List.of(),
                Map.of(),
                capacity,
                batch,
                Duration.ofMillis(20),
                dir.resolve("spill"),
                Duration.ofSeconds(10));
    }

    private static ExchangeRecord record(int i) {
        ExchangeRecord r = new ExchangeRecord();
        r.requestId = "req_" + i;
        r.tsEpochMillis = System.currentTimeMillis();
        r.endpoint = "/v1/chat/completions";
        r.statusCode = 200;
        return r;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void recordsArriveInBatchesByCountOrAge() throws Exception {
        FakeStore store = new FakeStore();
        RequestLogWriter w = new RequestLogWriter(config(1024, 10), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 25; i++) {
            w.offer(record(i));
        }
        await(() -> store.distinct() == 25, "25 rows");
        assertTrue(store.exactlyOnce());
        // A batch the store is slow to take goes through the spill: written live or replayed, once.
        assertEquals(25, w.stats().written() + w.stats().replayed());
        assertTrue(store.batches.get() >= 3, "10 + 10 + the last 5 by age");
        w.close();
    }

    @Test
    void anOutageSpillsAndTheSpillIsReplayedExactlyOnceWhenTheStoreIsBack() throws Exception {
        FakeStore store = new FakeStore();
        RequestLogWriter w = new RequestLogWriter(config(4096, 50), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 100; i++) {
            w.offer(record(i));
        }
        await(() -> store.distinct() == 100, "the first 100");
        store.up = false;
        for (int i = 100; i < 1100; i++) {
            w.offer(record(i));
        }
        await(() -> w.stats().spilled() >= 1000, "spilled while down");
        try (java.util.stream.Stream<Path> spill = Files.list(dir.resolve("spill"))) {
            assertTrue(spill.findAny().isPresent(), "a spill segment on disk");
        }
        store.up = true;
        await(() -> store.distinct() == 1100, "replayed after the store came back");
        assertTrue(store.exactlyOnce(), "no record twice");
        assertEquals(0, w.stats().dropped());
        // Every spilled row, once: the 1,000 of the outage, and any live batch the inserter was not
        // scheduled in time for on a busy machine (a batch waits for it a quarter interval at most). The
        // replay counts a batch once the store has taken it, a moment after its rows are visible: awaited.
        await(() -> w.stats().replayed() == w.stats().spilled(), "every spilled row counted as replayed");
        assertEquals(w.stats().spilled(), w.stats().replayed());
        w.close();
        try (var files = Files.list(dir.resolve("spill"))) {
            assertEquals(0, files.count(), "replayed segments are deleted");
        }
    }

    /**
     * A live batch waits for the inserter only a bounded time, then is spilled: a replay as long as a
     * whole batch made every live batch behind it spill under load, for good. While the writer runs,
     * the spill goes back in slices of an eighth of a batch.
     */
    @Test
    void theSpillIsReplayedInSlicesSoALiveBatchNeverWaitsForAWholeBatch() throws Exception {
        FakeStore store = new FakeStore();
        store.up = false;
        RequestLogWriter w = new RequestLogWriter(config(4096, 80), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 400; i++) {
            w.offer(record(i));
        }
        await(() -> w.stats().spilled() == 400, "spilled while down");
        store.up = true;
        await(() -> store.distinct() == 400, "replayed after the store came back");
        assertTrue(store.exactlyOnce(), "no record twice");
        assertEquals(400, w.stats().replayed());
        assertTrue(store.sizes.stream().allMatch(n -> n <= 10), "replayed 10 rows at a time: " + store.sizes);
        w.close();
    }

    @Test
    void closeDrainsTheQueueAndTheSpill() throws Exception {
        FakeStore store = new FakeStore();
        store.up = false;
        RequestLogWriter w = new RequestLogWriter(config(4096, 100), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 300; i++) {
            w.offer(record(i));
        }
        await(() -> w.stats().spilled() == 300, "spilled");
        store.up = true;
        for (int i = 300; i < 350; i++) {
            w.offer(record(i));
        }
        w.close();
        assertEquals(350, store.distinct(), "queued and spilled records are all written by a clean stop");
        assertTrue(store.exactlyOnce());
    }

    @Test
    void whatCannotBeWrittenByTheStopStaysSpilledForTheNextStart() throws Exception {
        FakeStore store = new FakeStore();
        store.up = false;
        RequestLogWriter w = new RequestLogWriter(config(4096, 100), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 120; i++) {
            w.offer(record(i));
        }
        w.close();
        assertEquals(0, store.distinct());
        store.up = true;
        RequestLogWriter next = new RequestLogWriter(config(4096, 100), store, RowFallback::metadataOnly).start();
        await(() -> store.distinct() == 120, "replayed by the next writer");
        next.close();
        assertTrue(store.exactlyOnce());
    }

    @Test
    void aFullQueueCountsDropsAndNeverBlocks() throws Exception {
        FakeStore store = new FakeStore();
        RequestLogWriter w = new RequestLogWriter(config(16, 10), store, RowFallback::metadataOnly);
        // Not started: nothing drains, so the 17th offer finds the queue full.
        for (int i = 0; i < 20; i++) {
            w.offer(record(i));
        }
        assertEquals(4, w.stats().dropped());
        assertEquals(16, w.stats().queued());
        w.start();
        await(() -> store.distinct() == 16, "the queued ones");
        w.close();
    }

    @Test
    void retentionDeletesOlderRowsInBoundedBatchesUntilNoneAreLeft() throws Exception {
        FakeStore store = new FakeStore();
        store.oldRows.set(12_000);
        RequestLogConfig c = config(64, 10);
        RequestLogConfig thirtyDays = new RequestLogConfig(
                c.store(),
                c.bodies(),
                c.maxBodyBytes(),
                c.sqlitePath(),
                null,
                Duration.ofDays(30),
                List.of(),
                Map.of(),
                64,
                10,
                c.flushInterval(),
                c.spillDir(),
                c.drainTimeout());
        RequestLogWriter w = new RequestLogWriter(thirtyDays, store, RowFallback::metadataOnly).start();
        Instant before = Instant.now().minus(Duration.ofDays(30));
        w.runRetention();
        assertEquals(0, store.oldRows.get());
        assertEquals(3, store.cutoffs.size(), "5,000 + 5,000 + 2,000");
        Instant cutoff = store.cutoffs.get(0);
        assertTrue(!cutoff.isBefore(before) && cutoff.isBefore(before.plusSeconds(60)), cutoff.toString());
        w.close();
    }

    @Test
    void aReloadedRetentionAppliesAtOnceAndZeroStopsDeleting() throws Exception {
        FakeStore store = new FakeStore();
        store.oldRows.set(10);
        RequestLogWriter w = new RequestLogWriter(config(64, 10), store, RowFallback::metadataOnly).start();
        w.runRetention();
        assertTrue(store.cutoffs.isEmpty(), "retention 0 keeps everything");

        Instant before = Instant.now().minus(Duration.ofDays(7));
        w.retention(Duration.ofDays(7));
        await(() -> store.oldRows.get() == 0, "the new retention ran without waiting for the hour");
        Instant cutoff = store.cutoffs.get(0);
        assertTrue(!cutoff.isBefore(before) && cutoff.isBefore(before.plusSeconds(60)), cutoff.toString());

        w.retention(Duration.ZERO);
        int runs = store.cutoffs.size();
        w.runRetention();
        assertEquals(runs, store.cutoffs.size(), "back to keeping everything");
        w.close();
    }

    @Test
    void aStoreThatAnswersButCannotWriteSpillsInsteadOfDropping() throws Exception {
        FakeStore store = new FakeStore();
        store.readOnly = true; // a standby after a failover: ping answers, inserts fail
        RequestLogWriter w = new RequestLogWriter(config(1024, 10), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 20; i++) {
            w.offer(record(i));
        }
        await(() -> w.stats().spilled() == 20, "spilled");
        assertEquals(0, w.stats().dropped());
        store.readOnly = false;
        await(() -> store.distinct() == 20, "replayed once writable");
        assertTrue(store.exactlyOnce());
        w.close();
    }

    @Test
    void aRowTheDatabaseRefusesCostsOnlyItself() throws Exception {
        FakeStore store = new FakeStore();
        RequestLogWriter w = new RequestLogWriter(config(1024, 50), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 49; i++) {
            w.offer(record(i));
        }
        ExchangeRecord poison = record(0);
        poison.requestId = "poison";
        w.offer(poison);
        await(() -> store.distinct() == 49, "the other 49");
        await(() -> w.stats().dropped() == 1, "refused even as text: dropped");
        assertEquals(1, w.stats().refused());
        assertEquals(0, w.stats().spilled(), "a data error is not an outage");
        assertTrue(w.storeUp());
        w.close();
    }

    @Test
    void aRowRefusedForAnUnforeseenValueIsKeptWithItsJsonAsTextAndCounted() throws Exception {
        FakeStore store = new FakeStore();
        RequestLogWriter w = new RequestLogWriter(config(1024, 10), store, RowFallback::metadataOnly).start();
        for (int i = 0; i < 9; i++) {
            w.offer(record(i));
        }
        ExchangeRecord odd = record(0);
        odd.requestId = "poison-json";
        w.offer(odd);
        await(() -> store.distinct() == 10, "all ten, the refused one as text");
        assertEquals(1, w.stats().refused(), "an alarm: no row should ever be refused");
        assertEquals(0, w.stats().dropped(), "but it is kept");
        assertEquals(10, w.stats().written() + w.stats().replayed());
        synchronized (store) {
            assertEquals("\"{}\"", store.last.get("poison-json").requestHeaders(), "the headers as a JSON string");
            assertEquals("{}", store.last.get("req_1").requestHeaders());
        }
        w.close();
    }

    @Test
    void theSpillKeepsTheBodyFlagsAndReadsLinesWrittenBeforeThem() throws Exception {
        LogRow asText = LogRows.bodiesAsText(Instant.parse("2026-11-23T17:01:02.345Z"));
        LogRow costed = LogRows.full(Instant.parse("2026-11-23T17:01:02.346Z")); // cost and cached tokens set
        try (SpillFile spill = new SpillFile(dir.resolve("spill"))) {
            spill.append(List.of(asText, costed));
            long[] corrupt = {0};
            assertEquals(List.of(asText, costed), spill.nextBatch(10, corrupt), "cost to the last bit");
        }
        String old = "{\"logId\":\"0190f1b2-0000-7000-8000-000000000001\",\"ts\":\"2026-11-23T17:01:02.345Z\","
                + "\"requestId\":\"r\",\"statusCode\":200,\"stream\":false,\"attempts\":1,"
                + "\"requestHeaders\":\"{}\",\"requestTruncated\":false,\"responseTruncated\":false}\n";
        Files.writeString(dir.resolve("spill").resolve("spill-0000000000001-000000.jsonl"), old);
        try (SpillFile spill = new SpillFile(dir.resolve("spill"))) {
            long[] corrupt = {0};
            List<LogRow> read = spill.nextBatch(10, corrupt);
            assertEquals(0, corrupt[0]);
            assertEquals(1, read.size());
            assertFalse(read.get(0).requestBodyAsText());
            assertNull(read.get(0).costUsd(), "a line from before the cost column: unknown");
            assertNull(read.get(0).cachedTokens());
        }
    }

    @Test
    void aBatchErrorIsLoggedWithoutTheStatementsValues() {
        java.sql.BatchUpdateException b = new java.sql.BatchUpdateException(
                "Batch entry 0 INSERT INTO request_logs (log_id) VALUES ('secret body') was aborted", new int[0]);
        b.setNextException(new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        assertEquals(
                "SQLException [08006]: An I/O error occurred while sending to the backend.", RequestLogWriter.brief(b));
        String plain = RequestLogWriter.brief(new java.sql.BatchUpdateException(
                "Batch entry 0 INSERT INTO request_logs VALUES ('secret body') was aborted", new int[0]));
        assertEquals("BatchUpdateException: Batch entry 0", plain);
        assertTrue(RequestLogWriter.isConnectionFailure(b));
        assertTrue(!RequestLogWriter.isConnectionFailure(new SQLException("bad json", "22P02")));
        assertTrue(RequestLogWriter.isRowFault(new SQLException("bad json", "22P02")));
        assertTrue(!RequestLogWriter.isRowFault(new SQLException("read-only transaction", "25006")), "a standby");
        assertTrue(!RequestLogWriter.isRowFault(new SQLException("disk full", "53100")));
        assertTrue(!RequestLogWriter.isRowFault(
                new SQLException("canceling statement due to statement timeout", "57014")));
    }

    @Test
    void aRecordThatCannotBeRenderedIsStillLoggedWithItsFacts() throws Exception {
        FakeStore store = new FakeStore();
        RequestLogWriter w = new RequestLogWriter(config(64, 1), store, r -> {
                    throw new IllegalStateException("renderer bug");
                })
                .start();
        w.offer(record(1));
        await(() -> store.distinct() == 1, "the fallback row");
        w.close();
    }

    @Test
    void aBrokenSpillLineIsSkippedAndCounted() throws Exception {
        FakeStore store = new FakeStore();
        Files.createDirectories(dir.resolve("spill"));
        Files.writeString(dir.resolve("spill").resolve("spill-0000000000001-000000.jsonl"), "{\"torn\n");
        RequestLogWriter w = new RequestLogWriter(config(64, 10), store, RowFallback::metadataOnly).start();
        await(() -> w.stats().dropped() == 1, "the torn line counted");
        w.close();
    }
}
