package io.aigw.core.log;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * The {@code request_logs} columns in {@link LogRow}'s order, with the SQL built from them once per
 * store and the binding of a row to it and back. Column {@code i} of the list is parameter and
 * result column {@code i + 1}, so binding and reading are written in the same order as the list.
 */
final class RequestLogsTable {
    static final List<String> COLUMNS = List.of(
            "log_id",
            "ts",
            "request_id",
            "api_key_hash",
            "endpoint",
            "model",
            "provider",
            "model_resolved",
            "status_code",
            "stream",
            "attempts",
            "error",
            "request_headers",
            "request_body",
            "response_body",
            "request_truncated",
            "response_truncated",
            "total_latency_ms",
            "provider_latency_ms",
            "ttft_ms",
            "prompt_tokens",
            "completion_tokens",
            "total_tokens",
            "trace_id",
            "client_ip",
            "request_body_as_text",
            "response_body_as_text",
            "cached_tokens",
            "cost_usd",
            "client_api");
    private static final List<String> JSON_COLUMNS = List.of("request_headers", "request_body", "response_body");

    private final SqlDialect dialect;
    final String insertSql;
    /** {@code SELECT <every column> FROM request_logs}, to be followed by a WHERE clause. */
    final String selectSql;

    RequestLogsTable(SqlDialect dialect) {
        this.dialect = dialect;
        StringBuilder values = new StringBuilder();
        for (String c : COLUMNS) {
            values.append(values.length() == 0 ? "" : ", ")
                    .append(JSON_COLUMNS.contains(c) ? dialect.jsonPlaceholder : "?");
        }
        String columns = String.join(", ", COLUMNS);
        // Idempotent on log_id: a replayed spill or a retried batch never duplicates a row.
        this.insertSql =
                "INSERT INTO request_logs (" + columns + ") VALUES (" + values + ") ON CONFLICT (log_id) DO NOTHING";
        this.selectSql = "SELECT " + columns + " FROM request_logs";
    }

    void bind(PreparedStatement ps, LogRow r) throws SQLException {
        int i = 1;
        dialect.setUuid(ps, i++, r.logId());
        dialect.setTs(ps, i++, r.ts());
        ps.setString(i++, dialect.text(r.requestId()));
        ps.setString(i++, dialect.text(r.apiKeyHash()));
        ps.setString(i++, dialect.text(r.endpoint()));
        ps.setString(i++, dialect.text(r.model()));
        ps.setString(i++, dialect.text(r.provider()));
        ps.setString(i++, dialect.text(r.modelResolved()));
        ps.setInt(i++, r.statusCode());
        ps.setBoolean(i++, r.stream());
        ps.setInt(i++, r.attempts());
        ps.setString(i++, dialect.text(r.error()));
        ps.setString(i++, dialect.json(r.requestHeaders()));
        ps.setString(i++, dialect.json(r.requestBody()));
        ps.setString(i++, dialect.json(r.responseBody()));
        ps.setBoolean(i++, r.requestTruncated());
        ps.setBoolean(i++, r.responseTruncated());
        setLong(ps, i++, r.totalLatencyMs());
        setLong(ps, i++, r.providerLatencyMs());
        setLong(ps, i++, r.ttftMs());
        setInt(ps, i++, r.promptTokens());
        setInt(ps, i++, r.completionTokens());
        setInt(ps, i++, r.totalTokens());
        ps.setString(i++, dialect.text(r.traceId()));
        ps.setString(i++, dialect.text(r.clientIp()));
        ps.setBoolean(i++, r.requestBodyAsText());
        ps.setBoolean(i++, r.responseBodyAsText());
        setInt(ps, i++, r.cachedTokens());
        setDouble(ps, i++, r.costUsd());
        ps.setString(i, dialect.text(r.clientApi()));
    }

    LogRow read(ResultSet rs) throws SQLException {
        int i = 1;
        return new LogRow(
                dialect.getUuid(rs, i++),
                dialect.getTs(rs, i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getInt(i++),
                rs.getBoolean(i++),
                rs.getInt(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getBoolean(i++),
                rs.getBoolean(i++),
                getLong(rs, i++),
                getLong(rs, i++),
                getLong(rs, i++),
                getInt(rs, i++),
                getInt(rs, i++),
                getInt(rs, i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getBoolean(i++),
                rs.getBoolean(i++),
                getInt(rs, i++),
                getDouble(rs, i++),
                rs.getString(i));
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    private static Double getDouble(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    private static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static Integer getInt(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }
}
