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
            ps.setString(i, isoText(ts));
        }

        /**
         * As the formatter writes it, by hand for years 0 to 9999: every row's ts goes through here,
         * and the formatter's field-by-field printing was a visible share of the inserter's time.
         */
        private String isoText(Instant ts) {
            long seconds = ts.getEpochSecond();
            long day = Math.floorDiv(seconds, 86_400L);
            if (day < MIN_DAY || day > MAX_DAY) {
                return iso.format(ts);
            }
            java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
            int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
            char[] c = new char[24];
            digits(c, 0, date.getYear(), 4);
            c[4] = '-';
            digits(c, 5, date.getMonthValue(), 2);
            c[7] = '-';
            digits(c, 8, date.getDayOfMonth(), 2);
            c[10] = 'T';
            digits(c, 11, secondOfDay / 3600, 2);
            c[13] = ':';
            digits(c, 14, secondOfDay / 60 % 60, 2);
            c[16] = ':';
            digits(c, 17, secondOfDay % 60, 2);
            c[19] = '.';
            digits(c, 20, ts.getNano() / 1_000_000, 3);
            c[23] = 'Z';
            return new String(c);
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

    /** The epoch days of 0000-01-01 and 9999-12-31: the years SQLite's ts is written by hand for. */
    private static final long MIN_DAY = java.time.LocalDate.of(0, 1, 1).toEpochDay();

    private static final long MAX_DAY = java.time.LocalDate.of(9999, 12, 31).toEpochDay();

    /** {@code value} as {@code width} decimal digits, zero-padded, at {@code at}. */
    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

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
