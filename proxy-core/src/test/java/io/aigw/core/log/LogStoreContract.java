package io.aigw.core.log;

import static io.aigw.core.log.LogRows.assertSameRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every SQL store must do, run against each database by a subclass that supplies a fresh,
 * empty database (or schema) per test.
 */
abstract class LogStoreContract {
    static final Instant T0 = Instant.parse("2026-11-23T17:01:02.345Z");

    protected LogStore store;
    private final List<LogStore> extra = new ArrayList<>();

    /** A store on a new, empty database that {@link #cleanUp()} removes. */
    protected abstract LogStore openEmpty() throws Exception;

    /** Another store on the database of the last {@link #openEmpty()}. */
    protected abstract LogStore openSame() throws Exception;

    /** A plain JDBC connection to that database, to look behind the store. */
    protected abstract Connection connect() throws SQLException;

    protected abstract void cleanUp() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openEmpty();
    }

    @AfterEach
    void close() throws Exception {
        extra.forEach(LogStore::close);
        if (store != null) { // null when the database was not there and the test was skipped
            store.close();
        }
        cleanUp();
    }

    protected LogStore another() throws Exception {
        LogStore s = openSame();
        extra.add(s);
        return s;
    }

    @Test
    void migrateTwiceIsANoOp() throws Exception {
        store.migrate();
        LogRow row = LogRows.full(T0);
        store.insert(List.of(row));
        store.migrate();
        assertEquals(Migrations.FILES.size(), count("aigw_schema_version"));
        assertEquals(1, count("request_logs"));
    }

    @Test
    void concurrentMigrationsApplyEachFileOnce() throws Exception {
        int n = 4;
        List<LogStore> stores = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            stores.add(another());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (LogStore s : stores) {
                done.add(pool.submit(() -> {
                    start.await();
                    s.migrate();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(); // an exception here is a migration that raced another
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Migrations.FILES.size(), count("aigw_schema_version"));
        store.insert(List.of(LogRows.full(T0)));
        assertEquals(1, count("request_logs"));
    }

    @Test
    void everyFieldRoundTrips() throws Exception {
        store.migrate();
        LogRow full = LogRows.full(T0);
        LogRow minimal = LogRows.minimal(T0.minusMillis(1));
        LogRow wholeSecond = LogRows.row(Instant.parse("2026-11-23T17:01:03Z"), "m", 200, "k");
        store.insert(List.of(full, minimal, wholeSecond));

        Map<Object, LogRow> read = all().stream().collect(Collectors.toMap(LogRow::logId, Function.identity()));
        assertEquals(3, read.size());
        assertSameRow(full, read.get(full.logId()));
        assertSameRow(minimal, read.get(minimal.logId()));
        assertSameRow(wholeSecond, read.get(wholeSecond.logId()));
    }

    @Test
    void bodiesKeptAsTextRoundTripWithTheirFlags() throws Exception {
        store.migrate();
        LogRow asText = LogRows.bodiesAsText(T0);
        LogRow plain = LogRows.full(T0.plusMillis(1));
        store.insert(List.of(asText, plain));

        Map<Object, LogRow> read = all().stream().collect(Collectors.toMap(LogRow::logId, Function.identity()));
        assertSameRow(asText, read.get(asText.logId()));
        assertSameRow(plain, read.get(plain.logId()));
        assertTrue(read.get(asText.logId()).requestBodyAsText());
        assertTrue(read.get(asText.logId()).responseBodyAsText());
        assertFalse(read.get(plain.logId()).requestBodyAsText());
        assertEquals(
                "{\"temperature\":1e999999,\"content\":\"a\\u0000b \\ud800\"}",
                LogRows.tree(read.get(asText.logId()).requestBody()).asText(),
                "the whole text, as it came");
    }

    @Test
    void aRowWithItsJsonColumnsAsTextIsStored() throws Exception {
        store.migrate();
        LogRow row = LogRows.full(T0).withJsonAsText();
        store.insert(List.of(row));
        LogRow read = all().get(0);
        assertSameRow(row, read);
        assertEquals(
                LogRows.full(T0).requestHeaders(),
                LogRows.tree(read.requestHeaders()).asText());
    }

    @Test
    void emptyInsertIsANoOp() throws Exception {
        store.migrate();
        store.insert(List.of());
        assertEquals(0, count("request_logs"));
    }

    @Test
    void aLogIdAlreadyStoredIsSkipped() throws Exception {
        store.migrate();
        LogRow a = LogRows.row(T0, "m", 200, "k");
        LogRow b = LogRows.row(T0.plusMillis(1), "m", 200, "k");
        LogRow c = LogRows.row(T0.plusMillis(2), "m", 200, "k");
        store.insert(List.of(a, b));
        store.insert(List.of(LogRows.withModel(b, "replayed"), c));
        store.insert(List.of(c, c)); // twice in one batch too

        List<LogRow> rows = all();
        assertEquals(3, rows.size());
        assertEquals(
                List.of(c.logId(), b.logId(), a.logId()),
                rows.stream().map(LogRow::logId).toList());
        assertEquals("m", rows.get(1).model(), "the first write wins");
    }

    /**
     * The cost and cached tokens keep every bit, by both ways in: PostgreSQL's binary COPY, and the
     * INSERT it falls back to when a batch holds a row already stored (SQLite always inserts).
     */
    @Test
    void costAndCachedTokensRoundTripExactlyByCopyAndByInsert() throws Exception {
        store.migrate();
        LogRow copied = LogRows.full(T0);
        LogRow inserted = LogRows.withCost(LogRows.full(T0.plusMillis(1)), 0, 0.1 + 0.2);
        LogRow unknown = LogRows.withCost(LogRows.full(T0.plusMillis(2)), null, null);
        store.insert(List.of(copied));
        store.insert(List.of(copied, inserted, unknown)); // holds a stored row: the INSERT path on PostgreSQL

        Map<Object, LogRow> read = all().stream().collect(Collectors.toMap(LogRow::logId, Function.identity()));
        assertEquals(3, read.size());
        assertEquals(1.2345678901234567e-4, read.get(copied.logId()).costUsd());
        assertEquals(5, read.get(copied.logId()).cachedTokens());
        assertEquals(0.1 + 0.2, read.get(inserted.logId()).costUsd(), "not rounded to 0.3");
        assertEquals(0, read.get(inserted.logId()).cachedTokens());
        assertNull(read.get(unknown.logId()).costUsd(), "unknown is null, not 0");
        assertNull(read.get(unknown.logId()).cachedTokens());
    }

    @Test
    void aLargeBatchIsWrittenWhole() throws Exception {
        store.migrate();
        List<LogRow> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(LogRows.full(T0.plusMillis(i)));
        }
        long start = System.nanoTime();
        store.insert(rows);
        System.out.printf("%s: 1000 full rows in one batch: %d ms%n", store, (System.nanoTime() - start) / 1_000_000);
        assertEquals(1000, count("request_logs"));
    }

    @Test
    void queryFiltersNewestFirstWithinTheLimit() throws Exception {
        store.migrate();
        List<LogRow> rows = List.of(
                LogRows.row(T0, "m1", 200, "k1"),
                LogRows.row(T0.plusSeconds(1), "m2", 200, "k1"),
                LogRows.row(T0.plusSeconds(2), "m1", 429, "k2"),
                LogRows.row(T0.plusSeconds(3), "m1", 200, "k2"),
                LogRows.row(T0.plusSeconds(4), "m2", 500, "k1"),
                LogRows.row(T0.plusSeconds(5), "m1", 200, null));
        store.insert(rows);

        assertEquals(ids(rows, 5, 4, 3, 2, 1, 0), ids(store.query(new LogQuery(null, null, null, null, 100))));
        assertEquals(ids(rows, 5, 4), ids(store.query(new LogQuery(null, null, null, null, 2))));
        // since is inclusive, until exclusive
        assertEquals(
                ids(rows, 2, 1),
                ids(store.query(
                        new LogQuery(T0.plusSeconds(1), null, null, null, 100, null, T0.plusSeconds(3), null))));
        assertEquals(
                ids(rows, 0),
                ids(store.query(new LogQuery(null, null, null, null, 100, null, T0.plusSeconds(1), null))));
        assertEquals(
                List.of(),
                store.query(new LogQuery(T0.plusSeconds(3), null, null, null, 100, null, T0.plusSeconds(3), null)));
        assertEquals(ids(rows, 5, 4, 3), ids(store.query(new LogQuery(T0.plusSeconds(3), null, null, null, 100))));
        assertEquals(ids(rows, 5, 3, 2, 0), ids(store.query(new LogQuery(null, "m1", null, null, 100))));
        assertEquals(ids(rows, 5, 3, 1, 0), ids(store.query(new LogQuery(null, null, 200, null, 100))));
        assertEquals(ids(rows, 4, 1, 0), ids(store.query(new LogQuery(null, null, null, "k1", 100))));
        assertEquals(ids(rows, 3), ids(store.query(new LogQuery(T0.plusSeconds(1), "m1", 200, "k2", 100))));
        assertEquals(ids(rows, 5, 3), ids(store.query(new LogQuery(null, "m1", 200, null, 2))));
        assertEquals(List.of(), store.query(new LogQuery(null, "nope", null, null, 100)));
        assertSameRow(
                rows.get(4), store.query(new LogQuery(null, null, 500, null, 1)).get(0));
    }

    @Test
    void queryFiltersByEndpointPrefix() throws Exception {
        store.migrate();
        List<LogRow> rows = List.of(
                LogRows.row(T0, "m1", 200, "k1"),
                LogRows.withEndpoint(LogRows.row(T0.plusSeconds(1), null, 200, null), "/admin/ui/app.js"),
                LogRows.withEndpoint(LogRows.row(T0.plusSeconds(2), "m1", 200, "k1"), "/v1/embeddings"),
                LogRows.withEndpoint(LogRows.row(T0.plusSeconds(3), null, 200, null), "/v1_x"),
                LogRows.withEndpoint(LogRows.row(T0.plusSeconds(4), null, 200, null), null));
        store.insert(rows);

        assertEquals(ids(rows, 2, 0), ids(store.query(endpoint("/v1/"))));
        assertEquals(ids(rows, 2), ids(store.query(endpoint("/v1/embeddings"))));
        assertEquals(ids(rows, 1), ids(store.query(endpoint("/admin/"))));
        // No wildcard: an underscore is an underscore.
        assertEquals(ids(rows, 3), ids(store.query(endpoint("/v1_"))));
        assertEquals(List.of(), store.query(endpoint("/v1/embeddings/more")));
    }

    private static LogQuery endpoint(String prefix) {
        return new LogQuery(null, null, null, null, 100, null, null, prefix);
    }

    @Test
    void queryFiltersByClientApi() throws Exception {
        store.migrate();
        List<LogRow> rows = List.of(
                LogRows.withClientApi(LogRows.row(T0, "m1", 200, "k1"), "openai"),
                LogRows.withClientApi(LogRows.row(T0.plusSeconds(1), "m1", 200, "k1"), "anthropic"),
                LogRows.withClientApi(LogRows.row(T0.plusSeconds(2), "m1", 401, "k1"), "anthropic"),
                LogRows.withClientApi(LogRows.row(T0.plusSeconds(3), "m1", 200, "k1"), "responses"),
                LogRows.row(T0.plusSeconds(4), "m1", 200, "k1"));
        store.insert(rows);

        assertEquals(ids(rows, 2, 1), ids(store.query(new LogQuery(null, null, null, null, 100, "anthropic"))));
        assertEquals(ids(rows, 3), ids(store.query(new LogQuery(null, null, null, null, 100, "responses"))));
        assertEquals(ids(rows, 2), ids(store.query(new LogQuery(null, null, 401, null, 100, "anthropic"))));
        assertEquals(ids(rows, 4, 3, 2, 1, 0), ids(store.query(new LogQuery(null, null, null, null, 100, null))));
        assertSameRow(
                rows.get(3),
                store.query(new LogQuery(null, null, null, null, 1, "responses"))
                        .get(0));
    }

    /** V5 on a table an older release filled: its rows keep a null client API, new rows get theirs. */
    @Test
    void clientApiMigrationKeepsOlderRows() throws Exception {
        SqlDialect dialect = dialect();
        LogRow old = LogRows.row(T0, "m-old", 200, "k");
        try (Connection c = connect()) {
            assertEquals(4, Migrations.migrate(c, dialect, Migrations.FILES.subList(0, 4)));
            try (var ps = c.prepareStatement("INSERT INTO request_logs (log_id, ts, status_code, stream, attempts,"
                    + " request_headers, request_truncated, response_truncated, model) VALUES (?, ?, 200, ?, 1, "
                    + dialect.jsonPlaceholder + ", ?, ?, 'm-old')")) {
                dialect.setUuid(ps, 1, old.logId());
                dialect.setTs(ps, 2, old.ts());
                ps.setBoolean(3, false);
                ps.setString(4, "{}");
                ps.setBoolean(5, false);
                ps.setBoolean(6, false);
                ps.executeUpdate();
            }
            c.commit();
        }
        store.migrate();
        assertEquals(Migrations.FILES.size(), count("aigw_schema_version"));
        LogRow fresh = LogRows.withClientApi(LogRows.row(T0.plusSeconds(1), "m-new", 200, "k"), "responses");
        store.insert(List.of(fresh));

        List<LogRow> read = all();
        assertEquals(2, read.size());
        assertEquals("responses", read.get(0).clientApi());
        assertNull(read.get(1).clientApi(), "a row from before the column");
        assertEquals("m-old", read.get(1).model());
        assertEquals(ids(List.of(old), 0), ids(store.query(new LogQuery(null, "m-old", null, null, 10, null))));
    }

    /** The dialect of the store {@link #openEmpty()} makes. */
    protected abstract SqlDialect dialect();

    @Test
    void deleteOlderThanRespectsTheCutoffAndTheLimit() throws Exception {
        store.migrate();
        List<LogRow> rows = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            rows.add(LogRows.row(T0.plusSeconds(i), "m", 200, "k"));
        }
        store.insert(rows);
        Instant cutoff = T0.plusSeconds(5); // rows 0..4 are older; row 5 is at the cutoff and stays

        assertEquals(3, store.deleteOlderThan(cutoff, 3));
        assertEquals(ids(rows, 6, 5, 4, 3), ids(all()), "the oldest go first");
        assertEquals(2, store.deleteOlderThan(cutoff, 3));
        assertEquals(0, store.deleteOlderThan(cutoff, 3));
        assertEquals(ids(rows, 6, 5), ids(all()));
    }

    @Test
    void pingIsTrue() throws Exception {
        assertTrue(store.ping());
        store.migrate();
        assertTrue(store.ping());
        assertTrue(store.readable());
    }

    protected List<LogRow> all() throws SQLException {
        return store.query(new LogQuery(null, null, null, null, LogQuery.MAX_LIMIT));
    }

    protected long count(String table) throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<Object> ids(List<LogRow> rows, int... indexes) {
        List<Object> out = new ArrayList<>();
        for (int i : indexes) {
            out.add(rows.get(i).logId());
        }
        return out;
    }

    static List<Object> ids(List<LogRow> rows) {
        return rows.stream().map(r -> (Object) r.logId()).toList();
    }
}
