package io.aigw.core.log;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log in a SQL database (SQLite or PostgreSQL, see {@link LogStores}) through a small
 * HikariCP pool. The pool is created without connecting, so a store exists while its database is
 * down; every call then fails fast with an {@link SQLException} (the pool's and driver's short
 * timeouts) and the writer retries, {@link #migrate()} included, once the database answers.
 */
public final class JdbcLogStore implements LogStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcLogStore.class);

    private final SqlDialect dialect;
    private final HikariDataSource pool;
    private final RequestLogsTable table;
    private final String deleteSql;
    private final String description;
    /** PostgreSQL only: batches go in by binary COPY, the INSERT being kept for batches it refuses. */
    private final PgCopyRows copyRows;

    JdbcLogStore(SqlDialect dialect, HikariDataSource pool, String description) {
        this.dialect = dialect;
        this.pool = pool;
        this.table = new RequestLogsTable(dialect);
        // A bounded delete both databases accept (neither PostgreSQL nor a default SQLite build
        // takes DELETE ... LIMIT); ordered by ts so the ts index drives the inner scan.
        this.deleteSql = "DELETE FROM request_logs WHERE log_id IN "
                + "(SELECT log_id FROM request_logs WHERE ts < ? ORDER BY ts LIMIT ?)";
        this.description = description;
        this.copyRows = dialect == SqlDialect.POSTGRES ? new PgCopyRows() : null;
    }

    @Override
    public void migrate() throws SQLException {
        try (Connection c = pool.getConnection()) {
            int applied;
            try {
                applied = Migrations.migrate(c, dialect);
            } catch (SQLException | RuntimeException e) {
                pool.evictConnection(c); // as in insert: a failed BEGIN must not stay in the pool
                throw e;
            }
            if (applied > 0) {
                log.info("{}: applied {} schema migration(s)", description, applied);
            }
        }
    }

    @Override
    public void insert(List<LogRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        if (copyRows != null && copied(rows)) {
            return;
        }
        try (Connection c = pool.getConnection()) {
            try {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(table.insertSql)) {
                    for (LogRow row : rows) {
                        table.bind(ps, row);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                // Never pooled again: sqlite-jdbc flips its auto-commit flag before its BEGIN IMMEDIATE,
                // so a BEGIN that failed (SQLITE_BUSY) leaves a connection that believes a transaction
                // is open, and every later commit on it fails ("no transaction is active").
                pool.evictConnection(c);
                throw e;
            }
        }
    }

    /**
     * Copies the batch in one transaction; false when it holds a row already stored, which COPY
     * cannot skip (the INSERT's ON CONFLICT then writes the rest). Any other failure is thrown.
     */
    private boolean copied(List<LogRow> rows) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                c.setAutoCommit(false);
                copyRows.copy(c, rows);
                c.commit();
                return true;
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                if (PgCopyRows.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                pool.evictConnection(c);
                throw e;
            } catch (RuntimeException e) {
                rollbackQuietly(c, e);
                pool.evictConnection(c);
                throw e;
            }
        }
    }

    @Override
    public boolean ping() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(1);
        } catch (Exception e) {
            // Down is an answer, not an error: the caller only wants to know whether to retry now.
            return false;
        }
    }

    @Override
    public int deleteOlderThan(Instant cutoff, int limit) throws SQLException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(deleteSql)) {
            dialect.setTs(ps, 1, cutoff);
            ps.setInt(2, limit);
            return ps.executeUpdate();
        }
    }

    @Override
    public List<LogRow> query(LogQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder(table.selectSql);
        List<Object> args = new ArrayList<>(4);
        where(sql, args, "ts >= ?", q.since());
        where(sql, args, "ts < ?", q.until());
        where(sql, args, "model = ?", dialect.text(q.model()));
        where(sql, args, "status_code = ?", q.status());
        where(sql, args, "api_key_hash = ?", dialect.text(q.keyHash()));
        where(sql, args, "client_api = ?", dialect.text(q.clientApi()));
        if (q.endpointPrefix() != null) {
            // substr, not LIKE: a prefix holding % or _ needs no escaping.
            where(sql, args, "substr(endpoint, 1, ?) = ?", q.endpointPrefix().length());
            args.add(dialect.text(q.endpointPrefix()));
        }
        sql.append(" ORDER BY ts DESC LIMIT ?");
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (Object arg : args) {
                if (arg instanceof Instant ts) {
                    dialect.setTs(ps, i++, ts);
                } else if (arg instanceof Integer n) {
                    ps.setInt(i++, n);
                } else {
                    ps.setString(i++, (String) arg);
                }
            }
            ps.setInt(i, q.limit());
            List<LogRow> rows = new ArrayList<>(Math.min(q.limit(), 100));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(table.read(rs));
                }
            }
            return rows;
        }
    }

    private static void where(StringBuilder sql, List<Object> args, String condition, Object arg) {
        if (arg != null) {
            sql.append(args.isEmpty() ? " WHERE " : " AND ").append(condition);
            args.add(arg);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The database kind and its URL, any password masked: safe for log lines. */
    @Override
    public String toString() {
        return description;
    }

    /** Rolls back after {@code cause}; a failing rollback (the connection is gone) must not hide it. */
    public static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
