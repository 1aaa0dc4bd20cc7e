package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLogStoreTest extends LogStoreContract {
    @TempDir
    Path dir;

    private Path file;

    @Override
    protected LogStore openEmpty() {
        file = dir.resolve("requests.db");
        return LogStores.sqlite(file);
    }

    @Override
    protected LogStore openSame() {
        return LogStores.sqlite(file);
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.SQLITE;
    }

    @Override
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    @Override
    protected void cleanUp() {
        // @TempDir removes the file.
    }

    /** The ts is written by hand for speed: exactly as the fixed-width formatter writes it, which orders as time. */
    @Test
    void theTsTextIsTheFixedWidthFormattersForEveryInstant() throws Exception {
        java.time.format.DateTimeFormatter iso = java.time.format.DateTimeFormatter.ofPattern(
                        "uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        String[] bound = new String[1];
        java.sql.PreparedStatement ps = (java.sql.PreparedStatement) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {java.sql.PreparedStatement.class}, (p, m, args) -> {
                    bound[0] = (String) args[1];
                    return null;
                });
        java.util.Random random = new java.util.Random(19);
        List<java.time.Instant> instants = new java.util.ArrayList<>(List.of(
                java.time.Instant.EPOCH,
                java.time.Instant.ofEpochMilli(-1),
                java.time.Instant.parse("2024-02-29T23:59:59.999Z"),
                java.time.Instant.parse("0000-01-01T00:00:00Z"),
                java.time.Instant.parse("9999-12-31T23:59:59.999999999Z"),
                java.time.Instant.parse("+10000-01-01T00:00:00Z"),
                java.time.Instant.parse("-0001-12-31T23:59:59Z")));
        for (int i = 0; i < 100_000; i++) {
            instants.add(java.time.Instant.ofEpochSecond(
                    random.nextLong(-70_000_000_000L, 260_000_000_000L), random.nextInt(1_000_000_000)));
        }
        for (java.time.Instant ts : instants) {
            SqlDialect.SQLITE.setTs(ps, 1, ts);
            assertEquals(iso.format(ts), bound[0], ts.toString());
        }
    }

    @Test
    void createsTheFileUnderADirectoryThatDoesNotExistYet() throws Exception {
        Path nested = dir.resolve("data/deeper/requests.db");
        assertFalse(Files.exists(nested.getParent()));
        try (LogStore s = LogStores.sqlite(nested)) {
            s.migrate();
            s.insert(List.of(LogRows.full(T0)));
            assertEquals(1, s.query(new LogQuery(null, null, null, null, 10)).size());
        }
        assertTrue(Files.isRegularFile(nested));
    }

    @Test
    void walModeAndReadableTimestamps() throws Exception {
        store.migrate();
        store.insert(List.of(
                LogRows.row(T0, "gpt-4o-mini", 200, "k"),
                LogRows.row(Instant.parse("2026-11-23T17:01:03Z"), "gpt-4o", 429, "k")));
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertEquals("wal", rs.getString(1));
            }
            // What `sqlite3 data/requests.db 'select ts, model, status_code from request_logs'` shows.
            List<String> lines = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT ts || '|' || model || '|' || status_code || '|' || typeof(ts) FROM request_logs ORDER BY ts")) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
            assertEquals(
                    List.of(
                            "2026-11-23T17:01:02.345Z|gpt-4o-mini|200|text",
                            "2026-11-23T17:01:03.000Z|gpt-4o|429|text"),
                    lines);
            // SQLite's date functions write the same format, so an operator can filter by time.
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM request_logs WHERE ts >= "
                    + "strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-23T17:01:02.345Z', '+0.655 seconds')")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void jsonAndTextAreStoredExactlyAsGiven() throws Exception {
        store.migrate();
        LogRow full = LogRows.full(T0);
        store.insert(List.of(full));
        LogRow read = all().get(0);
        assertEquals(full, read);
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT json_extract(request_body, '$.messages[0].content') " + "FROM request_logs")) {
            rs.next();
            assertEquals("héllo 👋 世界 \"q\" \\ \n next", rs.getString(1));
        }
    }

    @Test
    void theOperatorsIndexesExist() throws Exception {
        store.migrate();
        List<String> names = new ArrayList<>();
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'request_logs' "
                                + "AND sql IS NOT NULL ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        assertEquals(
                List.of(
                        "request_logs_key_ts_idx",
                        "request_logs_model_ts_idx",
                        "request_logs_status_ts_idx",
                        "request_logs_ts_idx"),
                names);
    }
}
