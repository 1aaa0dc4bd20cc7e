package io.aigw.core.keys;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * The key store contract on the machine's PostgreSQL (127.0.0.1:5432, database {@code test}), each
 * test in a schema of its own. With {@code CI=true} an unreachable server fails the tests.
 */
class PostgresKeyStoreTest extends KeyStoreContract {
    static final String SERVER = System.getProperty("aigw.test.pg.server", "jdbc:postgresql://127.0.0.1:5432/");
    static final String DATABASE = "test";
    static final String USER = "postgres";

    private String schema;

    private static Connection admin() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(SERVER + DATABASE, p);
    }

    @Override
    protected KeyStore openEmpty() throws SQLException {
        schema = "aigw_keys_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("PostgreSQL is required under CI=true: " + e.getMessage());
            }
            schema = null;
            assumeTrue(false, "PostgreSQL not reachable: " + e.getMessage());
        }
        return KeyStores.postgres(SERVER + DATABASE + "?currentSchema=" + schema, USER, null);
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
}
