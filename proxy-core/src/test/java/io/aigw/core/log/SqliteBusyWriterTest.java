package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding: one SQLITE_BUSY (another process holds the write lock longer than busy_timeout: an
 * operator's write or VACUUM in the sqlite3 shell, a backup) was not a "connection failure", so the
 * batch went row by row and was dropped instead of spilled; worse, the failed BEGIN IMMEDIATE left the
 * pooled connection believing a transaction was open, so every later commit failed ("no transaction
 * is active") and every later row was counted dropped (and logged as refused) for the process's life.
 */
class SqliteBusyWriterTest {
    @TempDir
    Path dir;

    @Test
    void aLockedDatabaseSpillsRowsInsteadOfDroppingThem() throws Exception {
        Path file = dir.resolve("requests.db");
        RequestLogConfig config = new RequestLogConfig(
                Store.SQLITE,
                Bodies.FULL,
                1024,
                file,
                null,
                Duration.ZERO,
                List.of(),
                Map.of(),
                1024,
                2,
                Duration.ofMillis(20),
                dir.resolve("spill"),
                Duration.ofSeconds(10));
        RequestLogWriter w = new RequestLogWriter(config, LogStores.sqlite(file), RowFallback::metadataOnly).start();
        try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("CREATE TABLE held_lock (x INTEGER)"); // takes the write lock until rollback
            }
            for (int i = 0; i < 2; i++) {
                ExchangeRecord r = new ExchangeRecord();
                r.requestId = "busy-" + i;
                r.tsEpochMillis = System.currentTimeMillis();
                r.statusCode = 200;
                w.offer(r);
            }
            Thread.sleep(6_000); // longer than the store's 5 s busy_timeout
            lock.rollback();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int rows = 0;
        while (System.nanoTime() < deadline && rows < 2) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM request_logs")) {
                rows = rs.getInt(1);
            }
            Thread.sleep(100);
        }
        for (int i = 2; i < 6; i++) {
            ExchangeRecord r = new ExchangeRecord();
            r.requestId = "after-" + i;
            r.tsEpochMillis = System.currentTimeMillis();
            r.statusCode = 200;
            w.offer(r);
            Thread.sleep(200);
        }
        w.close();
        LogWriterStats stats = w.stats();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM request_logs")) {
            assertEquals(6, rs.getInt(1), "every record stored once the lock is gone: " + stats);
        }
        assertEquals(0, stats.dropped(), "rows dropped over a transient lock: " + stats);
    }

    /** The same at start-up: a migration that met the lock must not leave the store unusable once it is gone. */
    @Test
    void aDatabaseLockedAtStartIsMigratedOnceTheLockIsGone() throws Exception {
        Path file = dir.resolve("requests.db");
        RequestLogConfig config = new RequestLogConfig(
                Store.SQLITE,
                Bodies.FULL,
                1024,
                file,
                null,
                Duration.ZERO,
                List.of(),
                Map.of(),
                1024,
                2,
                Duration.ofMillis(20),
                dir.resolve("spill"),
                Duration.ofSeconds(10));
        RequestLogWriter w;
        try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = lock.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL"); // as the store leaves it
            }
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("CREATE TABLE held_lock (x INTEGER)");
            }
            w = new RequestLogWriter(config, LogStores.sqlite(file), RowFallback::metadataOnly).start(); // waits 5 s
            lock.rollback();
        }
        ExchangeRecord r = new ExchangeRecord();
        r.requestId = "after-start";
        r.tsEpochMillis = System.currentTimeMillis();
        r.statusCode = 200;
        w.offer(r);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline
                && !(w.storeUp() && w.stats().written() + w.stats().replayed() == 1)) {
            Thread.sleep(50);
        }
        LogWriterStats stats = w.stats();
        boolean up = w.storeUp();
        w.close();
        assertEquals(true, up, "the store is found back once the lock is gone: " + stats);
        assertEquals(1, stats.written() + stats.replayed(), stats.toString());
    }
}
