package io.aigw.core.log;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Where request-log rows end up. Every method blocks (JDBC) and is called only from the writer's
 * own threads or the admin query executor, never an event loop.
 */
public interface LogStore extends AutoCloseable {

    /** Creates or upgrades the schema to the newest version (idempotent; run once at start). */
    void migrate() throws SQLException;

    /**
     * Inserts {@code rows} in one batch; a row whose {@code log_id} is already stored is skipped, so
     * replaying a spill after a crash never duplicates.
     */
    void insert(List<LogRow> rows) throws SQLException;

    /** True when the store answers now (a cheap round trip with a short timeout). */
    boolean ping();

    /** Deletes at most {@code limit} rows older than {@code cutoff}; returns how many went. */
    int deleteOlderThan(Instant cutoff, int limit) throws SQLException;

    /** Rows matching {@code query}, newest first. */
    List<LogRow> query(LogQuery query) throws SQLException;

    /** Whether {@link #query} can read rows back (a stdout store cannot). */
    default boolean readable() {
        return true;
    }

    @Override
    void close();
}
