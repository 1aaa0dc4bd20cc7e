package io.aigw.core.log;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * What differs between the databases the request log can live in. Everything else, the insert with
 * {@code ON CONFLICT DO NOTHING} included, is SQL both understand.
 */
public enum SqlDialect {
    SQLITE("sqlite", "?") {
        // Fixed width (always three fraction digits), so text order is time order.
        private final DateTimeFormatter iso =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

        @Override
        public void setTs(PreparedStatement ps, int i, Instant ts) throws SQLException {
            ps.setString(i, iso.format(ts));
        }

        @Override
        public Instant getTs(ResultSet rs, int i) throws SQLException {
            return Instant.parse(rs.getString(i));
        }

        @Override
        public void setUuid(PreparedStatement ps, int i, UUID id) throws SQLException {
            ps.setString(i, id.toString());
        }

        @Override
        public UUID getUuid(ResultSet rs, int i) throws SQLException {
            return UUID.fromString(rs.getString(i));
        }

        @Override
        public String text(String s) {
            return s;
        }

        @Override
        public String json(String s) {
            return s;
        }

        @Override
        public String migrationLock() {
            // Transactions are BEGIN IMMEDIATE (see LogStores): the write lock is taken at BEGIN.
            return null;
        }

        @Override
        public String versionTableDdl() {
            return "CREATE TABLE IF NOT EXISTS aigw_schema_version ("
                    + "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
        }
    },

    POSTGRES("postgres", "?::jsonb") {
        @Override
        public void setTs(PreparedStatement ps, int i, Instant ts) throws SQLException {
            ps.setObject(i, OffsetDateTime.ofInstant(ts, ZoneOffset.UTC));
        }

        @Override
        public Instant getTs(ResultSet rs, int i) throws SQLException {
            return rs.getObject(i, OffsetDateTime.class).toInstant();
        }

        @Override
        public void setUuid(PreparedStatement ps, int i, UUID id) throws SQLException {
            ps.setObject(i, id);
        }

        @Override
        public UUID getUuid(ResultSet rs, int i) throws SQLException {
            return rs.getObject(i, UUID.class);
        }

        @Override
        public String text(String s) {
            return PgText.text(s);
        }

        @Override
        public String json(String s) {
            return PgText.json(s);
        }

        @Override
        public String migrationLock() {
            // Held until commit; keyed by schema so test schemas (or tenants) do not queue on each other.
            return "SELECT pg_advisory_xact_lock(1634297719, hashtext(current_schema()))";
        }

        @Override
        public String versionTableDdl() {
            return "CREATE TABLE IF NOT EXISTS aigw_schema_version ("
                    + "version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)";
        }
    };

    /** The folder under {@code db/migration/} that holds this database's SQL files. */
    final String migrationDir;
    /** The placeholder a JSON column's value is bound with (text, cast where the column is jsonb). */
    final String jsonPlaceholder;

    SqlDialect(String migrationDir, String jsonPlaceholder) {
        this.migrationDir = migrationDir;
        this.jsonPlaceholder = jsonPlaceholder;
    }

    public abstract void setTs(PreparedStatement ps, int i, Instant ts) throws SQLException;

    public abstract Instant getTs(ResultSet rs, int i) throws SQLException;

    public abstract void setUuid(PreparedStatement ps, int i, UUID id) throws SQLException;

    public abstract UUID getUuid(ResultSet rs, int i) throws SQLException;

    /** A text value as this database will accept it (null stays null). */
    public abstract String text(String s);

    /** A JSON text value as this database will accept it (null stays null). */
    public abstract String json(String s);

    /** A statement that serialises concurrent migrations until commit, or null if none is needed. */
    public abstract String migrationLock();

    public abstract String versionTableDdl();
}
