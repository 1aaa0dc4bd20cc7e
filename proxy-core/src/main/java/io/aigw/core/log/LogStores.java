package io.aigw.core.log;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request-log stores, one factory each. None connects: a database that is down (or a file not
 * yet writable) shows in {@link LogStore#migrate()} and {@link LogStore#insert}, which the writer
 * retries, never in start-up.
 */
public final class LogStores {
    /**
     * Driver settings for PostgreSQL, each used only where the URL does not set it. An outage must
     * fail a call in about a second, not hang the writer thread for the OS's TCP timeouts:
     * seconds to connect, to log in, and of silence on a socket before a call fails (generous
     * enough for a large batch or a retention delete on a busy server).
     */
    static final Map<String, String> PG_URL_DEFAULTS = pgUrlDefaults();

    private LogStores() {}

    /**
     * SQLite at {@code file}, its directory created if missing. WAL lets the admin read-back run
     * while the writer writes; {@code synchronous=NORMAL} is durable against a process crash (a
     * power loss may lose the last transactions, a fair price for a log); every transaction takes
     * the write lock at BEGIN (IMMEDIATE) and waits up to five seconds for it, so the writer, the
     * retention job and a second process queue instead of failing with SQLITE_BUSY.
     */
    public static LogStore sqlite(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        // One writer thread and an occasional reader: two connections, so a read never waits.
        return new JdbcLogStore(SqlDialect.SQLITE, sqlitePool(abs, "aigw-log-sqlite", 2), "sqlite log store " + abs);
    }

    /**
     * A pool on the SQLite file {@code file} with the settings above (WAL, IMMEDIATE transactions, a
     * five second busy wait), its directory created if missing: for the request log and for anything
     * else kept in the same file (the client keys).
     */
    public static HikariDataSource sqlitePool(Path file, String poolName, int maxSize) {
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + abs, e);
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName(poolName);
        cfg.setDriverClassName("org.sqlite.JDBC");
        cfg.setJdbcUrl("jdbc:sqlite:" + abs);
        cfg.addDataSourceProperty("journal_mode", "WAL");
        cfg.addDataSourceProperty("synchronous", "NORMAL");
        cfg.addDataSourceProperty("busy_timeout", "5000");
        cfg.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        cfg.setMaximumPoolSize(maxSize);
        cfg.setMinimumIdle(1);
        cfg.setConnectionTimeout(5_000);
        cfg.setInitializationFailTimeout(-1);
        return new HikariDataSource(cfg);
    }

    /**
     * PostgreSQL at {@code url} ({@code jdbc:postgresql://host:port/db}); {@code user} and
     * {@code password} may be null or empty (trust authentication). The password goes to the
     * driver only: it is in no log line or message of ours, and {@link Object#toString()} masks
     * one given inside the URL.
     */
    public static LogStore postgres(String url, String user, String password) {
        // The writer, the retention job and the admin read-back: three at most.
        return new JdbcLogStore(
                SqlDialect.POSTGRES,
                postgresPool(url, user, password, "aigw-log-pg", 3),
                "postgres log store " + JdbcUrls.redact(url));
    }

    /**
     * A pool on PostgreSQL at {@code url} with the settings above (short timeouts, no idle minimum):
     * for the request log and for anything else kept in the same database (the client keys).
     */
    public static HikariDataSource postgresPool(
            String url, String user, String password, String poolName, int maxSize) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("a PostgreSQL URL starts with jdbc:postgresql:, got "
                    + (url == null ? "null" : JdbcUrls.redact(url)));
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName(poolName);
        cfg.setDriverClassName("org.postgresql.Driver");
        cfg.setJdbcUrl(JdbcUrls.withDefaults(url, PG_URL_DEFAULTS));
        if (user != null && !user.isEmpty()) {
            cfg.setUsername(user);
        }
        if (password != null && !password.isEmpty()) {
            cfg.setPassword(password);
        }
        // No idle minimum: HikariCP keeps retrying to fill one with a backoff growing to 5 s, which
        // would delay recovery after an outage; without it, each call that waits starts retrying afresh.
        cfg.setMaximumPoolSize(maxSize);
        cfg.setMinimumIdle(0);
        // A caller waits at most a second for a connection, so an outage costs the writer a
        // second per attempt before it spills, not the 30 s HikariCP would wait by default.
        cfg.setConnectionTimeout(1_000);
        cfg.setValidationTimeout(1_000);
        cfg.setInitializationFailTimeout(-1);
        return new HikariDataSource(cfg);
    }

    /** One JSON line per row on standard output. */
    public static LogStore stdout() {
        return new StdoutLogStore(System.out);
    }

    /** One JSON line per row on {@code out} (which the store flushes but never closes). */
    public static LogStore stdout(OutputStream out) {
        return new StdoutLogStore(out);
    }

    private static Map<String, String> pgUrlDefaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("connectTimeout", "1");
        m.put("loginTimeout", "2");
        m.put("socketTimeout", "10");
        // Turns a JDBC batch into multi-row INSERTs: one round trip per 128 rows instead of per row.
        m.put("reWriteBatchedInserts", "true");
        m.put("ApplicationName", "aigw");
        return Map.copyOf(m);
    }
}
