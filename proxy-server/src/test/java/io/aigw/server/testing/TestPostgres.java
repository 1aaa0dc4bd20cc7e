package io.aigw.server.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The machine's PostgreSQL (127.0.0.1:5432, trust auth, database {@code test}) for tests, each in a
 * schema of its own. Under {@code CI=true} an unreachable server fails the test; elsewhere it skips.
 */
public final class TestPostgres implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5432;
    public static final String DATABASE = "test";
    public static final String USER = "postgres";

    private final String schema =
            "aigw_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private TestPostgres() {}

    public static TestPostgres require() {
        try (Connection c = DriverManager.getConnection(url(HOST, PORT, null), USER, "")) {
            TestPostgres pg = new TestPostgres();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + pg.schema);
            }
            return pg;
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("PostgreSQL at " + HOST + ":" + PORT + " is required under CI=true: " + e);
            }
            assumeTrue(false, "PostgreSQL not reachable at " + HOST + ":" + PORT + ": " + e);
            throw new IllegalStateException("unreachable");
        }
    }

    public String schema() {
        return schema;
    }

    /** A JDBC URL to {@code host:port} whose tables live in this test's schema. */
    public String url(int port) {
        return url(HOST, port, schema);
    }

    public String url() {
        return url(PORT);
    }

    private static String url(String host, int port, String schema) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE
                + (schema == null ? "" : "?currentSchema=" + schema);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(url(HOST, PORT, null), USER, "");
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            // best effort: a leftover schema in a test database harms nothing
        }
    }
}
