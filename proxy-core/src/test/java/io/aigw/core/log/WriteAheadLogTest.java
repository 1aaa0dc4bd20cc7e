package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Durability;
import io.aigw.core.config.RequestLogConfig.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code durability: wal} and the bound on what a crash loses without it. */
class WriteAheadLogTest {
    @TempDir
    Path dir;

    private RequestLogConfig config(int batch, Duration flush, Path spill, Durability durability) {
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
                flush,
                spill,
                Duration.ofSeconds(5),
                durability);
    }

    private static ExchangeRecord record(String id) {
        ExchangeRecord r = new ExchangeRecord();
        r.requestId = id;
        r.tsEpochMillis = System.currentTimeMillis();
        r.endpoint = "/v1/chat/completions";
        r.statusCode = 200;
        return r;
    }

    private static LogRow row(String id) {
        return new LogRow(
                UUID.randomUUID(),
                Instant.now(),
                id,
                null,
                "/v1/chat/completions",
                "m",
                null,
                null,
                200,
                false,
                1,
                null,
                "{}",
                null,
                null,
                false,
                false,
                1L,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    private static List<Path> files(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted()
                    .toList();
        }
    }

    private static String text(List<Path> files) {
        StringBuilder b = new StringBuilder();
        for (Path p : files) {
            try {
                b.append(Files.readString(p));
            } catch (IOException e) {
                // deleted meanwhile: its rows are committed
            }
        }
        return b.toString();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static Set<String> storedIds(LogStore store) throws SQLException {
        Set<String> ids = new HashSet<>();
        for (LogRow r : store.query(new LogQuery(null, null, null, null, 1000))) {
            ids.add(r.requestId());
        }
        return ids;
    }

    /** Everything queued at the moment is one group: one write, one fsync; each answer waits for it. */
    @Test
    void oneFsyncForEveryRecordQueuedAndAnswersOnlyOnceOnDisk() throws Exception {
        RequestLogWriterTest.FakeStore store = new RequestLogWriterTest.FakeStore();
        Path spill = dir.resolve("spill");
        RequestLogWriter w = new RequestLogWriter(
                config(100, Duration.ofMillis(20), spill, Durability.WAL),
                store,
                r -> new RowRenderer(Redactor.of(List.of("secret"), Map.of())).render(r));
        assertTrue(w.holdsAnswers());
        AtomicInteger released = new AtomicInteger();
        List<String> notOnDisk = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = "req_" + i;
            ExchangeRecord r = record(id);
            r.requestBody = "{\"key\":\"sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\"}".getBytes();
            r.onDurable = () -> {
                try {
                    if (!text(files(spill, WriteAheadLog.PREFIX)).contains("\"" + id + "\"")) {
                        notOnDisk.add(id);
                    }
                } catch (IOException e) {
                    notOnDisk.add(id + ": " + e);
                }
                released.incrementAndGet();
            };
            w.offer(r); // queued before the writer starts: two full groups of 100
        }
        w.start();
        try {
            await(() -> released.get() == 200, "every answer released");
            assertEquals(List.of(), notOnDisk, "released before its record was on disk");
            assertEquals(2, w.stats().walCommits(), "one fsync per group of 100");
            assertEquals(200, w.stats().walRows());
            String wal = text(files(spill, WriteAheadLog.PREFIX));
            assertTrue(!wal.contains("sk-proj-abcdefghij"), "no unredacted secret on disk");
            await(() -> store.distinct() == 200, "all rows stored");
        } finally {
            w.close();
        }
        assertEquals(List.of(), files(spill, WriteAheadLog.PREFIX), "every segment deleted once its rows are stored");
        assertTrue(store.exactlyOnce());
    }

    /** A sealed segment goes once every row in it is released; the open one stays until closed. */
    @Test
    void aSegmentIsDeletedOnceSealedAndAllItsRowsAreReleased() throws Exception {
        Path wdir = dir.resolve("w");
        WriteAheadLog wal = new WriteAheadLog(wdir, 200); // a row or two fill a segment
        WriteAheadLog.Segment first = wal.append(List.of(row("a"), row("b")));
        WriteAheadLog.Segment second = wal.append(List.of(row("c")));
        assertTrue(first != second, "the first segment was sealed when full");
        assertTrue(Files.exists(first.path));
        wal.release(first, 1);
        assertTrue(Files.exists(first.path), "a row of it is not committed yet");
        wal.release(first, 1);
        assertTrue(!Files.exists(first.path), "sealed and all released: deleted");

        WriteAheadLog small = new WriteAheadLog(dir.resolve("w2"));
        WriteAheadLog.Segment open = small.append(List.of(row("d")));
        small.release(open, 1);
        assertTrue(Files.exists(open.path), "the open segment takes more rows: kept");
        small.close();
        assertTrue(!Files.exists(open.path), "closed with every row released: deleted");
        WriteAheadLog.Segment unreleased = new WriteAheadLog(dir.resolve("w3")).append(List.of(row("e")));
        assertTrue(Files.exists(unreleased.path));
    }

    /**
     * What a crash leaves in the WAL is replayed at the next start exactly once: rows already
     * committed before the crash are not stored twice, and a second start finds nothing left.
     */
    @Test
    void aLeftoverWalIsReplayedOnceAtTheNextStart() throws Exception {
        Path spill = dir.resolve("spill");
        List<LogRow> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(row("left_" + i));
        }
        WriteAheadLog crashed = new WriteAheadLog(spill, 2_000);
        for (int i = 0; i < 50; i += 10) {
            crashed.append(rows.subList(i, i + 10)); // never released, never closed: a kill -9
        }
        assertTrue(files(spill, WriteAheadLog.PREFIX).size() > 1, "several segments left");

        LogStore sqlite = LogStores.sqlite(dir.resolve("r.db"));
        sqlite.migrate();
        sqlite.insert(rows.subList(0, 20)); // committed before the crash
        sqlite.close();

        for (int start = 0; start < 2; start++) {
            LogStore store = LogStores.sqlite(dir.resolve("r.db"));
            RequestLogWriter w = new RequestLogWriter(
                            config(100, Duration.ofMillis(20), spill, Durability.BATCH),
                            store,
                            RowFallback::metadataOnly)
                    .start();
            if (start == 0) {
                await(() -> w.stats().replayed() == 50, "the leftover WAL replayed");
                assertEquals(0, w.stats().dropped(), "no line unreadable: the zeros after the rows were cut");
            }
            w.close();
        }
        LogStore store = LogStores.sqlite(dir.resolve("r.db"));
        try {
            List<LogRow> stored = store.query(new LogQuery(null, null, null, null, 1000));
            assertEquals(50, stored.size(), "each row once");
            assertEquals(50, storedIds(store).size());
        } finally {
            store.close();
        }
        assertEquals(List.of(), files(spill, WriteAheadLog.PREFIX));
        assertEquals(List.of(), files(spill, "spill-"));
    }

    /** A disk that fails never holds an answer: it goes out, and the failure is counted. */
    @Test
    void aFailingWalReleasesTheAnswerAndCountsIt() throws Exception {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "where the spill directory should be");
        RequestLogWriterTest.FakeStore store = new RequestLogWriterTest.FakeStore();
        RequestLogWriter w = new RequestLogWriter(
                        config(100, Duration.ofMillis(20), notADir, Durability.WAL), store, RowFallback::metadataOnly)
                .start();
        CountDownLatch released = new CountDownLatch(3);
        try {
            for (int i = 0; i < 3; i++) {
                ExchangeRecord r = record("req_" + i);
                r.onDurable = released::countDown;
                w.offer(r);
            }
            assertTrue(released.await(5, TimeUnit.SECONDS), "answers released");
            await(() -> w.stats().walFailed() == 3, "the failures counted");
            await(() -> store.distinct() == 3, "the rows still reach the store");
        } finally {
            w.close();
        }
    }

    /**
     * Without the WAL a crash loses at most what is younger than the flush interval (and the batch
     * being committed): with the store hung, a batch does not wait in memory past the interval, it
     * goes to the spill file (which a process crash does not lose).
     */
    @Test
    void withAHungStoreRecordsReachTheSpillWithinTheFlushInterval() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        AtomicInteger inserts = new AtomicInteger();
        RequestLogWriterTest.FakeStore fake = new RequestLogWriterTest.FakeStore();
        LogStore store = new LogStore() {
            @Override
            public void migrate() throws SQLException {
                fake.migrate();
            }

            @Override
            public void insert(List<LogRow> rows) throws SQLException {
                inserts.incrementAndGet();
                try {
                    hung.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                fake.insert(rows);
            }

            @Override
            public boolean ping() {
                return true;
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
        };
        Path spill = dir.resolve("spill");
        RequestLogWriter w = new RequestLogWriter(
                        config(1, Duration.ofMillis(50), spill, Durability.BATCH), store, RowFallback::metadataOnly)
                .start();
        try {
            w.offer(record("first"));
            await(() -> inserts.get() == 1, "the first batch in the hung store");
            for (int i = 0; i < 3; i++) {
                w.offer(record("later_" + i));
            }
            await(
                    () -> {
                        try {
                            String spilled = text(files(spill, "spill-"));
                            return spilled.contains("later_0")
                                    && spilled.contains("later_1")
                                    && spilled.contains("later_2");
                        } catch (IOException e) {
                            return false;
                        }
                    },
                    "the later records in the spill file, not in memory");
        } finally {
            hung.countDown();
            w.close();
        }
    }
}
