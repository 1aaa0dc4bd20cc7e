package io.aigw.core.log;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a database's schema (the request log's tables and the client keys' tables) up to date from the versioned SQL files under
 * {@code db/migration/<dialect>/}, recording each applied version in {@code aigw_schema_version}.
 *
 * <p>Each file runs in its own transaction together with its version row, so a failure leaves the
 * schema at the previous version, never half way. On PostgreSQL the transaction first takes an
 * advisory lock, so two proxies starting at once apply each file exactly once (the second waits,
 * then finds the version recorded); on SQLite the IMMEDIATE transaction does the same.
 */
public final class Migrations {
    /**
     * Every migration, oldest first; the same names exist for each dialect. Listed rather than
     * discovered because a classpath folder cannot be listed portably inside a jar (a test checks
     * that this list and the folders agree).
     */
    static final List<String> FILES = List.of(
            "V1__request_logs.sql",
            "V2__bodies_as_text.sql",
            "V3__api_keys.sql",
            "V4__cost_usd.sql",
            "V5__client_api.sql");

    private Migrations() {}

    /**
     * Applies what is missing; returns how many files were applied (0 when up to date). Leaves
     * {@code c} out of auto-commit: the pool restores that when the connection goes back.
     */
    public static int migrate(Connection c, SqlDialect dialect) throws SQLException {
        return migrate(c, dialect, FILES);
    }

    /** As {@link #migrate(Connection, SqlDialect)} with the first of {@link #FILES} only: a schema as an older release left it. */
    static int migrate(Connection c, SqlDialect dialect, List<String> files) throws SQLException {
        c.setAutoCommit(false);
        int applied = 0;
        for (String file : files) {
            if (applyOne(c, dialect, file)) {
                applied++;
            }
        }
        return applied;
    }

    private static boolean applyOne(Connection c, SqlDialect dialect, String file) throws SQLException {
        int version = version(file);
        try (Statement st = c.createStatement()) {
            if (dialect.migrationLock() != null) {
                st.execute(dialect.migrationLock());
            }
            st.execute(dialect.versionTableDdl());
            if (isApplied(c, version)) {
                c.commit();
                return false;
            }
            for (String sql : statements(read(dialect, file))) {
                st.execute(sql);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO aigw_schema_version (version, name, applied_at) VALUES (?, ?, ?)")) {
                ps.setInt(1, version);
                ps.setString(2, file);
                dialect.setTs(ps, 3, Instant.now());
                ps.executeUpdate();
            }
            c.commit();
            return true;
        } catch (SQLException | RuntimeException e) {
            JdbcLogStore.rollbackQuietly(c, e);
            throw e;
        }
    }

    private static boolean isApplied(Connection c, int version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM aigw_schema_version WHERE version = ?")) {
            ps.setInt(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** {@code V12__what.sql} is version 12. */
    static int version(String file) {
        int end = file.indexOf("__");
        if (!file.startsWith("V") || end < 2) {
            throw new IllegalArgumentException("migration file name must be V<n>__<what>.sql: " + file);
        }
        return Integer.parseInt(file.substring(1, end));
    }

    /**
     * The statements of a file: comments dropped, split at semicolons. Our files keep no semicolon
     * or {@code --} inside a string literal, which is what makes this simple split enough.
     */
    static List<String> statements(String script) {
        StringBuilder code = new StringBuilder(script.length());
        for (String line : script.split("\n", -1)) {
            int comment = line.indexOf("--");
            code.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
        }
        List<String> out = new ArrayList<>();
        for (String sql : code.toString().split(";")) {
            if (!sql.isBlank()) {
                out.add(sql.strip());
            }
        }
        return out;
    }

    static String read(SqlDialect dialect, String file) {
        String path = "/db/migration/" + dialect.migrationDir + "/" + file;
        try (InputStream in = Migrations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration missing from the classpath: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
