package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on the machine's PostgreSQL (127.0.0.1:5432, database {@code test}), each test
 * in a schema of its own that is dropped afterwards. With {@code CI=true} an unreachable server
 * fails these tests; elsewhere they are skipped.
 */
class PostgresLogStoreTest extends LogStoreContract {
    /** Overridable (-Daigw.test.pg.server=jdbc:postgresql://host:port/) to run elsewhere. */
    static final String SERVER = System.getProperty("aigw.test.pg.server", "jdbc:postgresql://127.0.0.1:5432/");

    static final String DATABASE = "test";
    static final String USER = "postgres";

    private String schema;

    /** Why PostgreSQL cannot be used, or null when it can. */
    private static String unreachable;

    @BeforeAll
    static void requirePostgres() {
        try (Connection c = admin()) {
            c.isValid(1);
        } catch (SQLException e) {
            unreachable = "PostgreSQL is not reachable at " + SERVER + DATABASE + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(unreachable + " (CI=true: the PostgreSQL tests must run; .ci/run starts the server)");
            }
        }
    }

    static Connection admin() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(SERVER + DATABASE, p);
    }

    private String url() {
        return SERVER + DATABASE + "?currentSchema=" + schema;
    }

    @Override
    protected LogStore openEmpty() throws SQLException {
        // Per test rather than in @BeforeAll, so each shows as skipped, with the reason.
        assumeTrue(unreachable == null, () -> unreachable + "; skipped (with CI=true it fails instead)");
        schema = "aigw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        return LogStores.postgres(url(), USER, null);
    }

    @Override
    protected LogStore openSame() {
        return LogStores.postgres(url(), USER, "");
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.POSTGRES;
    }

    @Override
    protected Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        return DriverManager.getConnection(url(), p);
    }

    @Override
    protected void cleanUp() throws SQLException {
        if (schema == null) {
            return;
        }
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void valuesPostgresRefusesAreStoredAsReplacementCharacters() throws Exception {
        store.migrate();
        LogRow full = LogRows.full(T0);
        LogRow odd = new LogRow(
                full.logId(),
                full.ts(),
                "req\0nul",
                full.apiKeyHash(),
                full.endpoint(),
                full.model(),
                full.provider(),
                full.modelResolved(),
                full.statusCode(),
                full.stream(),
                full.attempts(),
                "error with \0 inside",
                full.requestHeaders(),
                "{\"a\":\"x\\u0000y\",\"lone\":\"\\ud83d\",\"pair\":\"\\ud83d\\ude00\",\"kept\":\"\\\\u0000\"}",
                full.responseBody(),
                full.requestTruncated(),
                full.responseTruncated(),
                full.totalLatencyMs(),
                full.providerLatencyMs(),
                full.ttftMs(),
                full.promptTokens(),
                full.completionTokens(),
                full.totalTokens(),
                full.traceId(),
                full.clientIp());
        store.insert(List.of(odd, LogRows.full(T0)));

        LogRow read = store.query(new LogQuery(null, null, null, null, 10)).stream()
                .filter(r -> r.logId().equals(odd.logId()))
                .findFirst()
                .orElseThrow();
        assertEquals("req\ufffdnul", read.requestId());
        assertEquals("error with \ufffd inside", read.error());
        JsonNode body = LogRows.tree(read.requestBody());
        assertEquals("x\ufffdy", body.get("a").asText());
        assertEquals("\ufffd", body.get("lone").asText());
        assertEquals("😀", body.get("pair").asText());
        assertEquals("\\u0000", body.get("kept").asText());
    }

    /** JsonbLimits must say exactly what this PostgreSQL's jsonb input says, on the edges of every limit. */
    @Test
    void jsonbLimitsAgreeWithPostgres() throws Exception {
        List<String> numbers = new ArrayList<>(List.of(
                "0",
                "-0",
                "1",
                "-1",
                "0.5",
                "1e-20000",
                "1e999999",
                "-1e999999",
                "1E+400",
                "1e131071",
                "1e131072",
                "-1e131072",
                "1.0e131071",
                "10e131071",
                "9.99e131071",
                "0.00001e131076",
                "0.00001e131077",
                "1e-16383",
                "1e-16384",
                "1.5e-16382",
                "1.5e-16383",
                "1.50e-16382",
                "100e-16384",
                "0e-16383",
                "0e-16384",
                "-0.0e-16384",
                "0e999999",
                "0e1073741822",
                "0e1073741823",
                "0e-1073741823",
                "1e2147483648",
                "1e-1000000000000",
                "12345678901234567890",
                "0.000000000000000000001e-16362",
                "0.000000000000000000001e-16363",
                "1e0",
                "1e-0",
                "1e+0"));
        numbers.add("1" + "0".repeat(999)); // as long as Jackson lets a number be
        numbers.add("0." + "0".repeat(997) + "1");
        numbers.add("0." + "1".repeat(997) + "e-15387");
        numbers.add("0." + "1".repeat(997) + "e-15386");
        List<String> strings = List.of(
                "\"x\"",
                "\"\\u0000\"",
                "\"a\\u0000\"",
                "\"\\ud800\"",
                "\"\\udc00\"",
                "\"\\ud800\\udc00\"",
                "\"\\ud800\\u0041\"",
                "\"\\udbff\\udfff\"",
                "\"\\uffff\"",
                "\"\\\\u0000\"",
                "\"\\u0001\"");
        try (Connection c = connect();
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT ?::jsonb")) {
            for (String n : numbers) {
                assertEquals(refusedByPostgres(c, ps, n), JsonbLimits.refusesNumber(n), n);
            }
            for (String s : strings) {
                String decoded = LogRows.JSON.readTree(s).asText();
                assertEquals(refusedByPostgres(c, ps, s), JsonbLimits.refusesString(decoded), s);
            }
        }
    }

    private static boolean refusedByPostgres(Connection c, java.sql.PreparedStatement ps, String json)
            throws SQLException {
        ps.setString(1, json);
        try (ResultSet rs = ps.executeQuery()) {
            return !rs.next();
        } catch (SQLException e) {
            assertTrue(e.getSQLState().startsWith("22"), json + ": " + e);
            return true;
        }
    }

    @Test
    void theBinaryCopyWritesEveryTypeAndRowsLongerThanItsBuffer() throws Exception {
        store.migrate();
        LogRow full = LogRows.full(T0);
        String big = "{\"content\":\"" + "ü€😀x".repeat(40_000) + "\"}"; // ~440 KB: several 64 KB chunks
        LogRow bigRow = new LogRow(
                UUID.randomUUID(),
                Instant.parse("1999-12-31T23:59:59.999Z"),
                full.requestId(),
                full.apiKeyHash(),
                full.endpoint(),
                full.model(),
                full.provider(),
                full.modelResolved(),
                599,
                false,
                Integer.MAX_VALUE,
                full.error(),
                full.requestHeaders(),
                big,
                big,
                true,
                false,
                Long.MAX_VALUE / 4,
                0L,
                -1L,
                0,
                Integer.MAX_VALUE,
                -1,
                full.traceId(),
                full.clientIp());
        LogRow minimal = LogRows.minimal(T0.plusMillis(1));
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            new PgCopyRows().copy(c, List.of(full, bigRow, minimal));
            c.commit();
        }
        List<LogRow> read = store.query(new LogQuery(null, null, null, null, 10));
        assertEquals(3, read.size());
        LogRows.assertSameRow(minimal, read.get(0));
        LogRows.assertSameRow(full, read.get(1));
        LogRows.assertSameRow(bigRow, read.get(2));
    }

    @Test
    void aBatchHoldingAStoredRowIsRefusedByCopyAndWrittenByInsert() throws Exception {
        store.migrate();
        LogRow stored = LogRows.row(T0, "m", 200, "k");
        store.insert(List.of(stored));
        List<LogRow> batch = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            batch.add(LogRows.row(T0.plusMillis(i), "m", 200, "k"));
        }
        batch.add(150, LogRows.withModel(stored, "replayed"));
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            SQLException refused = assertThrows(SQLException.class, () -> new PgCopyRows().copy(c, batch));
            assertEquals(PgCopyRows.UNIQUE_VIOLATION, refused.getSQLState());
            c.rollback();
        }
        store.insert(batch);
        assertEquals(301, count("request_logs"));
        assertEquals(
                1,
                store.query(new LogQuery(null, "m", null, null, 1000)).stream()
                        .filter(r -> r.logId().equals(stored.logId()))
                        .count(),
                "the stored row is kept as it was");
    }

    @Test
    void aRowPostgresRefusesFailsTheCopyWithItsDataErrorAndNoBodyInTheMessage() throws Exception {
        store.migrate();
        LogRow full = LogRows.full(T0);
        LogRow notJson = new LogRow(
                UUID.randomUUID(),
                T0,
                "r",
                null,
                null,
                null,
                null,
                null,
                200,
                false,
                1,
                null,
                "{}",
                "{\"secret-ish\": not json}",
                null,
                false,
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        SQLException e = assertThrows(SQLException.class, () -> store.insert(List.of(full, notJson)));
        assertTrue(RequestLogWriter.isRowFault(e), e.getSQLState());
        assertFalse(RequestLogWriter.brief(e).contains("secret-ish"), RequestLogWriter.brief(e));
        assertEquals(0, count("request_logs"), "all or nothing");
    }

    @Test
    void columnsHaveTheirPostgresTypesAndTheOperatorsIndexesExist() throws Exception {
        store.migrate();
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            List<String> types = new ArrayList<>();
            try (ResultSet rs =
                    st.executeQuery("SELECT column_name || ' ' || data_type FROM information_schema.columns "
                            + "WHERE table_schema = current_schema() AND table_name = 'request_logs' "
                            + "AND column_name IN ('log_id', 'ts', 'request_headers', 'request_body', 'response_body') "
                            + "ORDER BY column_name")) {
                while (rs.next()) {
                    types.add(rs.getString(1));
                }
            }
            assertEquals(
                    List.of(
                            "log_id uuid",
                            "request_body jsonb",
                            "request_headers jsonb",
                            "response_body jsonb",
                            "ts timestamp with time zone"),
                    types);
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT indexname FROM pg_indexes "
                    + "WHERE schemaname = current_schema() AND tablename = 'request_logs' ORDER BY indexname")) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            assertEquals(
                    List.of(
                            "request_logs_key_ts_idx",
                            "request_logs_model_ts_idx",
                            "request_logs_pkey",
                            "request_logs_status_ts_idx",
                            "request_logs_ts_idx"),
                    indexes);
        }
    }

    @Test
    void aClosedPortFailsEveryCallQuicklyAndNeverAtCreation() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String password = "pw-" + UUID.randomUUID();
        try (LogStore down = LogStores.postgres("jdbc:postgresql://127.0.0.1:" + port + "/test", USER, password)) {
            assertFalse(down.ping());
            SQLException e = assertThrows(SQLException.class, () -> down.insert(List.of(LogRows.full(T0))));
            assertThrows(SQLException.class, down::migrate);
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains(password), "password in: " + t);
            }
            assertFalse(down.toString().contains(password));
        }
    }

    @Test
    void aDatabaseThatAppearsLaterIsMigratedAndWrittenOnceItAnswers() throws Exception {
        String db = "aigw_late_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        LogStore late = LogStores.postgres(SERVER + db, USER, null);
        try {
            assertFalse(late.ping());
            assertThrows(SQLException.class, () -> late.insert(List.of(LogRows.full(T0))));

            try (Connection c = admin();
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + db);
            }
            // As the writer would: retry until the database answers (the first calls may still be
            // waiting out the pool's last failed attempt).
            boolean up = false;
            for (int i = 0; i < 10 && !up; i++) {
                up = late.ping();
            }
            assertTrue(up, "ping never turned true after the database appeared");
            late.migrate();
            LogRow row = LogRows.full(T0);
            late.insert(List.of(row));
            LogRows.assertSameRow(
                    row, late.query(new LogQuery(null, null, null, null, 10)).get(0));
        } finally {
            late.close();
            try (Connection c = admin();
                    Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }
}
