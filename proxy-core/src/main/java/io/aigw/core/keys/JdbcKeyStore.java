package io.aigw.core.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.log.JdbcLogStore;
import io.aigw.core.log.Migrations;
import io.aigw.core.log.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key store in the request log's database (SQLite or PostgreSQL) through a pool of its own,
 * made by {@link io.aigw.core.log.LogStores} with the same settings, and the same migrations.
 * Times go through the dialect; days are {@code YYYY-MM-DD} text in both databases.
 */
public final class JdbcKeyStore implements KeyStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcKeyStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    /** Hashes per IN list: both lists together stay far below either database's parameter limit. */
    static final int CHUNK = 500;

    private static final String COLUMNS = "id, name, key_hash, prefix, created_at, expires_at, revoked_at, models,"
            + " budget_usd, budget_period, metadata, rpm, tpm, max_parallel, token_quota_daily,"
            + " token_quota_monthly, previous_hash, previous_valid_until";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM api_keys";

    private final SqlDialect dialect;
    private final HikariDataSource pool;
    private final String description;
    /** The schema is known to be up to date; until then every call tries the migrations first. */
    private volatile boolean migrated;

    public JdbcKeyStore(SqlDialect dialect, HikariDataSource pool, String description) {
        this.dialect = dialect;
        this.pool = pool;
        this.description = description;
    }

    @Override
    public void migrate() throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                int applied = Migrations.migrate(c, dialect);
                if (applied > 0) {
                    log.info("{}: applied {} schema migration(s)", description, applied);
                }
                migrated = true;
            } catch (SQLException | RuntimeException e) {
                pool.evictConnection(c); // a failed BEGIN must not stay in the pool (see JdbcLogStore)
                throw e;
            }
        }
    }

    /** A database that was down at start gets its migrations with the first call that reaches it. */
    private void ready() throws SQLException {
        if (!migrated) {
            migrate();
        }
    }

    @Override
    public ClientKey create(KeySettings s, KeyHash hash, String prefix, Instant now) throws SQLException {
        ready();
        String sql = "INSERT INTO api_keys (name, key_hash, prefix, created_at, updated_at, expires_at, models,"
                + " budget_usd, budget_period, metadata, rpm, tpm, max_parallel, token_quota_daily,"
                + " token_quota_monthly) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, dialect.text(s.name()));
            ps.setString(2, hash.hex());
            ps.setString(3, prefix);
            dialect.setTs(ps, 4, now);
            dialect.setTs(ps, 5, now);
            bindSettingsFrom(ps, 6, s);
            long id;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            return new ClientKey(id, hash, prefix, now, null, null, null, s);
        }
    }

    /** Binds expires_at, models, budget_usd, budget_period, metadata and the five limits from {@code i} on. */
    private int bindSettingsFrom(PreparedStatement ps, int i, KeySettings s) throws SQLException {
        setTsOrNull(ps, i++, s.expiresAt());
        ps.setString(i++, dialect.text(toJson(s.models())));
        if (s.budgetUsd() == null) {
            ps.setNull(i++, Types.DOUBLE);
        } else {
            ps.setDouble(i++, s.budgetUsd());
        }
        ps.setString(i++, s.budgetPeriod() == null ? null : s.budgetPeriod().wire());
        ps.setString(i++, dialect.text(s.metadataJson()));
        for (Long limit : new Long[] {s.rpm(), s.tpm(), s.maxParallel(), s.tokenQuotaDaily(), s.tokenQuotaMonthly()}) {
            if (limit == null) {
                ps.setNull(i++, Types.BIGINT);
            } else {
                ps.setLong(i++, limit);
            }
        }
        return i;
    }

    @Override
    public ClientKey get(long id) throws SQLException {
        List<ClientKey> found = byIds(List.of(id));
        return found.isEmpty() ? null : found.get(0);
    }

    @Override
    public List<ClientKey> byHashes(Collection<KeyHash> hashes) throws SQLException {
        ready();
        List<ClientKey> out = new ArrayList<>();
        List<KeyHash> all = List.copyOf(hashes);
        try (Connection c = pool.getConnection()) {
            for (int from = 0; from < all.size(); from += CHUNK) {
                List<KeyHash> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
                String in = placeholders(chunk.size());
                try (PreparedStatement ps = c.prepareStatement(
                        SELECT + " WHERE key_hash IN (" + in + ") OR previous_hash IN (" + in + ")")) {
                    int i = 1;
                    for (int round = 0; round < 2; round++) {
                        for (KeyHash h : chunk) {
                            ps.setString(i++, h.hex());
                        }
                    }
                    readAll(ps, out);
                }
            }
        }
        return out;
    }

    @Override
    public List<ClientKey> byIds(Collection<Long> ids) throws SQLException {
        ready();
        List<ClientKey> out = new ArrayList<>();
        List<Long> all = List.copyOf(ids);
        try (Connection c = pool.getConnection()) {
            for (int from = 0; from < all.size(); from += CHUNK) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
                try (PreparedStatement ps =
                        c.prepareStatement(SELECT + " WHERE id IN (" + placeholders(chunk.size()) + ")")) {
                    int i = 1;
                    for (long id : chunk) {
                        ps.setLong(i++, id);
                    }
                    readAll(ps, out);
                }
            }
        }
        return out;
    }

    @Override
    public List<ClientKey> list(String nameContains, long afterId, int limit) throws SQLException {
        ready();
        String sql = SELECT + " WHERE id > ?" + (nameContains == null ? "" : " AND LOWER(name) LIKE ? ESCAPE '!'")
                + " ORDER BY id LIMIT ?";
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setLong(i++, afterId);
            if (nameContains != null) {
                String escaped = nameContains
                        .toLowerCase(Locale.ROOT)
                        .replace("!", "!!")
                        .replace("%", "!%")
                        .replace("_", "!_");
                ps.setString(i++, dialect.text("%" + escaped + "%"));
            }
            ps.setInt(i, limit);
            List<ClientKey> out = new ArrayList<>();
            readAll(ps, out);
            return out;
        }
    }

    @Override
    public ClientKey update(long id, KeySettings s, Instant now) throws SQLException {
        ready();
        String sql = "UPDATE api_keys SET expires_at = ?, models = ?, budget_usd = ?, budget_period = ?,"
                + " metadata = ?, rpm = ?, tpm = ?, max_parallel = ?, token_quota_daily = ?,"
                + " token_quota_monthly = ?, name = ?, updated_at = ? WHERE id = ?";
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int i = bindSettingsFrom(ps, 1, s);
            ps.setString(i++, dialect.text(s.name()));
            dialect.setTs(ps, i++, now);
            ps.setLong(i, id);
            if (ps.executeUpdate() == 0) {
                return null;
            }
        }
        return get(id);
    }

    @Override
    public ClientKey revoke(long id, Instant now) throws SQLException {
        ready();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?), updated_at = ? WHERE id = ?")) {
            dialect.setTs(ps, 1, now);
            dialect.setTs(ps, 2, now);
            ps.setLong(3, id);
            if (ps.executeUpdate() == 0) {
                return null;
            }
        }
        return get(id);
    }

    @Override
    public ClientKey rotate(long id, KeyHash newHash, String prefix, Instant previousValidUntil, Instant now)
            throws SQLException {
        ready();
        // The previous hash is kept only with a grace; without one the old secret is forgotten at once.
        String sql = "UPDATE api_keys SET previous_hash = " + (previousValidUntil == null ? "NULL" : "key_hash")
                + ", previous_valid_until = ?, key_hash = ?, prefix = ?, updated_at = ? WHERE id = ?";
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            setTsOrNull(ps, 1, previousValidUntil);
            ps.setString(2, newHash.hex());
            ps.setString(3, prefix);
            dialect.setTs(ps, 4, now);
            ps.setLong(5, id);
            if (ps.executeUpdate() == 0) {
                return null;
            }
        }
        return get(id);
    }

    @Override
    public void addSpend(List<SpendDelta> deltas) throws SQLException {
        ready();
        if (deltas.isEmpty()) {
            return;
        }
        String sql = "INSERT INTO api_key_spend (key_id, day, cost_usd, input_tokens, output_tokens, requests)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key_id, day) DO UPDATE SET"
                + " cost_usd = api_key_spend.cost_usd + excluded.cost_usd,"
                + " input_tokens = api_key_spend.input_tokens + excluded.input_tokens,"
                + " output_tokens = api_key_spend.output_tokens + excluded.output_tokens,"
                + " requests = api_key_spend.requests + excluded.requests";
        try (Connection c = pool.getConnection()) {
            try {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (SpendDelta d : deltas) {
                        ps.setLong(1, d.keyId());
                        ps.setString(2, d.day().toString());
                        ps.setDouble(3, d.spend().usd());
                        ps.setLong(4, d.spend().inputTokens());
                        ps.setLong(5, d.spend().outputTokens());
                        ps.setLong(6, d.spend().requests());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                JdbcLogStore.rollbackQuietly(c, e);
                pool.evictConnection(c);
                throw e;
            }
        }
    }

    @Override
    public Map<Long, Spend> spendSince(Collection<Long> ids, LocalDate from) throws SQLException {
        ready();
        if (ids.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<Long, Spend> out = new HashMap<>();
        List<Long> all = List.copyOf(ids);
        try (Connection c = pool.getConnection()) {
            for (int start = 0; start < all.size(); start += CHUNK) {
                List<Long> chunk = all.subList(start, Math.min(all.size(), start + CHUNK));
                String sql = "SELECT key_id, SUM(cost_usd), SUM(input_tokens), SUM(output_tokens), SUM(requests)"
                        + " FROM api_key_spend WHERE day >= ? AND key_id IN (" + placeholders(chunk.size())
                        + ") GROUP BY key_id";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, from.toString());
                    int i = 2;
                    for (long id : chunk) {
                        ps.setLong(i++, id);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(
                                    rs.getLong(1),
                                    new Spend(rs.getDouble(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return description;
    }

    private void readAll(PreparedStatement ps, List<ClientKey> out) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
    }

    private ClientKey read(ResultSet rs) throws SQLException {
        KeySettings s = new KeySettings(
                rs.getString(2),
                fromJson(rs.getString(8)),
                nullableDouble(rs, 9),
                BudgetPeriod.parse(rs.getString(10)),
                tsOrNull(rs, 6),
                nullableLong(rs, 12),
                nullableLong(rs, 13),
                nullableLong(rs, 14),
                nullableLong(rs, 15),
                nullableLong(rs, 16),
                rs.getString(11));
        String previous = rs.getString(17);
        return new ClientKey(
                rs.getLong(1),
                KeyHash.ofHex(rs.getString(3)),
                rs.getString(4),
                dialect.getTs(rs, 5),
                tsOrNull(rs, 7),
                previous == null ? null : KeyHash.ofHex(previous),
                tsOrNull(rs, 18),
                s);
    }

    private void setTsOrNull(PreparedStatement ps, int i, Instant ts) throws SQLException {
        if (ts == null) {
            ps.setNull(i, dialect == SqlDialect.POSTGRES ? Types.TIMESTAMP_WITH_TIMEZONE : Types.VARCHAR);
        } else {
            dialect.setTs(ps, i, ts);
        }
    }

    private Instant tsOrNull(ResultSet rs, int i) throws SQLException {
        return rs.getObject(i) == null ? null : dialect.getTs(rs, i);
    }

    private static Double nullableDouble(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }

    private static Long nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static String placeholders(int n) {
        StringBuilder b = new StringBuilder(n * 3);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "?" : ", ?");
        }
        return b.toString();
    }

    private static String toJson(List<String> models) {
        try {
            return JSON.writeValueAsString(models);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fromJson(String models) throws SQLException {
        try {
            return models == null ? List.of() : JSON.readValue(models, STRINGS);
        } catch (JsonProcessingException e) {
            throw new SQLException("api_keys.models is not a JSON array of strings");
        }
    }
}
