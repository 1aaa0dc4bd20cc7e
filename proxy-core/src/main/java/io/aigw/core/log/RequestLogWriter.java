package io.aigw.core.log;

import io.aigw.core.config.RequestLogConfig;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous, batched request-log writer.
 *
 * <p>Event loops {@link #offer} records into a bounded lock-free queue and never wait: a full queue
 * counts the record as dropped (the writer could not even render fast enough to spill). The writer
 * thread takes batches by count or age and renders them (redaction, bodies); the inserter thread
 * writes them to the store. The writer never waits on the database: while the store is down, or
 * the inserter is a few batches behind (the database slower than the traffic, or hung), batches go
 * to the spill file instead, which is fast. A probe thread notices when the store is back, and the
 * inserter replays the spill whenever no live batch is waiting. Rows carry their own id and the
 * stores skip ids they already have, so a replay after a crash never duplicates.
 *
 * <p>A batch is handed to the inserter only while its oldest record is younger than the flush
 * interval; past it, it is spilled. So a {@code kill -9} loses at most the records queued within
 * the last flush interval and the batch the store is committing at that moment.
 *
 * <p>With {@code durability: wal} the writer thread instead takes everything queued, renders it,
 * forces it to the {@link WriteAheadLog} (one fsync for all of it) and only then lets the answers
 * go out ({@link ExchangeRecord#onDurable}); the rows then take the same way to the store, and
 * their segment is deleted once they are committed or forced to the spill. Segments a crash left
 * are replayed from the spill at the next start.
 *
 * <p>{@link #close} stops taking records, writes what is queued, replays what is spilled while the
 * database answers, all within {@code drain_timeout_ms}; whatever is left stays in the spill file
 * for the next start.
 */
public final class RequestLogWriter implements RequestLog {
    private static final Logger log = LoggerFactory.getLogger(RequestLogWriter.class);
    private static final long PROBE_INTERVAL_MS = 1_000;
    private static final int RETENTION_BATCH = 5_000;
    private static final int INSERT_BACKLOG = 4;
    private static final long INSERTER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** A replayed transaction is this fraction of a batch while live batches may come (see {@link #replayOne}). */
    private static final int REPLAY_SLICES = 8;
    /** SQLite's primary result codes (SQLiteException reports them as its error code). */
    private static final int SQLITE_BUSY = 5;

    private static final int SQLITE_LOCKED = 6;

    private final RequestLogConfig config;
    private final LogStore store;
    private final Function<ExchangeRecord, LogRow> renderer;
    private final Queue<ExchangeRecord> queue;
    private final int batchSize;
    private final long flushNanos;
    /** How long a batch may wait for the inserter: a quarter of the flush interval, 50 ms at most. */
    private final long handOffNanos;

    private final SpillFile spill;
    /** Null unless {@code durability: wal}. */
    private final WriteAheadLog wal;
    /** The writer thread is parked waiting for records (wal: each offer must wake it). */
    private volatile boolean writerIdle;
    /** Writer thread only: when a failing write-ahead log was last reported. */
    private long walFailureLogged;

    private boolean walFailureReported;
    private final Thread writer;
    private final Thread inserter;
    /**
     * Rendered batches for the inserter. Without the WAL a hand-over, not a queue: a batch waits
     * for the inserter in memory only until its oldest record is a flush interval old (then it is
     * spilled), which is what bounds a crash's loss. With the WAL the rows are on disk already, and
     * a few batches may wait; full means the store is behind.
     */
    private final BlockingQueue<List<LogRow>> backlog;
    /** The batch the inserter is writing, for a stop that cannot wait for it. */
    private volatile List<LogRow> inFlight;

    private volatile boolean rendering = true;
    private volatile boolean abandoned;
    private volatile long closeDeadline;
    private final ScheduledExecutorService background;
    private final AtomicBoolean storeUp = new AtomicBoolean();
    private volatile boolean migrated;
    /** Probe thread only (and the stop, after the probe thread is done with it). */
    private long probeFailures;
    /** Probe thread only: the store's silence at start has been logged. */
    private boolean toldUnreachable;

    private volatile boolean running = true;
    private final LogWriterStats stats = new LogWriterStats();
    /** {@code retention_days}, which a reload may change ({@link #retention(Duration)}); zero keeps everything. */
    private volatile Duration retention;

    public RequestLogWriter(RequestLogConfig config, LogStore store, Function<ExchangeRecord, LogRow> renderer) {
        this.config = config;
        this.store = store;
        this.renderer = renderer;
        this.retention = config.retention();
        this.queue = PlatformDependent.newFixedMpscQueue(config.queueCapacity());
        this.batchSize = config.batchSize();
        this.flushNanos = config.flushInterval().toNanos();
        this.handOffNanos = Math.min(flushNanos / 4, INSERTER_POLL_NANOS);
        this.spill = new SpillFile(config.spillDir());
        boolean durable = config.durability() == RequestLogConfig.Durability.WAL;
        this.wal = durable ? new WriteAheadLog(config.spillDir()) : null;
        this.backlog = durable ? new ArrayBlockingQueue<>(INSERT_BACKLOG) : new SynchronousQueue<>();
        this.writer = new Thread(durable ? this::walLoop : this::run, "aigw-log-writer");
        this.writer.setDaemon(true);
        this.inserter = new Thread(this::insertLoop, "aigw-log-inserter");
        this.inserter.setDaemon(true);
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aigw-log-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Migrates the schema if the store answers (else the probe retries), then starts the threads. */
    public RequestLogWriter start() {
        try {
            // Whatever the durability now: a WAL from an earlier run holds answered exchanges.
            int left = WriteAheadLog.takeOver(config.spillDir(), spill);
            if (left > 0) {
                log.info("request log: {} write-ahead log segment(s) of the last run will be replayed", left);
            }
        } catch (IOException e) {
            log.error(
                    "request log: the write-ahead log left in {} could not be taken over: {}",
                    config.spillDir(),
                    e.toString());
        }
        probe();
        writer.start();
        inserter.start();
        background.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        // Hourly even while retention is 0: a reload may set it.
        background.scheduleWithFixedDelay(this::applyRetention, 1, 60, TimeUnit.MINUTES);
        return this;
    }

    /** A reload's {@code retention_days}: a new one is applied at once, then hourly; zero stops deleting. */
    @Override
    public void retention(Duration keep) {
        if (keep.equals(retention)) {
            return;
        }
        retention = keep;
        if (!keep.isZero() && running) {
            try {
                background.execute(this::applyRetention);
            } catch (RejectedExecutionException stopping) {
                // the writer is closing: nothing more to delete in this process
            }
        }
    }

    @Override
    public RequestLogConfig config() {
        return config;
    }

    @Override
    public LogWriterStats stats() {
        return stats;
    }

    @Override
    public LogStore readableStore() {
        return store.readable() ? store : null;
    }

    /**
     * Never blocks: the record is queued, or counted as dropped. A record refused, or offered
     * without the WAL, runs its {@link ExchangeRecord#onDurable} at once: no answer waits for a
     * log that will not hold it.
     */
    @Override
    public void offer(ExchangeRecord record) {
        Runnable now = wal == null ? record.onDurable : null;
        record.onDurable = wal == null ? null : record.onDurable;
        record.queuedNanos = System.nanoTime();
        if (!running || !queue.offer(record)) {
            stats.dropped.increment();
            durable(record);
            run(now);
            return;
        }
        stats.queued.increment();
        if (wal != null) {
            if (writerIdle) {
                LockSupport.unpark(writer); // an answer waits: group commit starts at once
            }
        } else if (queue.size() == batchSize) {
            // A full batch wakes the writer at once; otherwise it wakes by itself when the oldest is due.
            LockSupport.unpark(writer);
        }
        run(now);
    }

    @Override
    public boolean holdsAnswers() {
        return wal != null;
    }

    /** Lets the answer waiting for the record go out (once). */
    private static void durable(ExchangeRecord r) {
        Runnable ack = r.onDurable;
        r.onDurable = null;
        run(ack);
    }

    private static void run(Runnable ack) {
        if (ack == null) {
            return;
        }
        try {
            ack.run();
        } catch (RuntimeException e) {
            log.error("request log: releasing an answer failed", e);
        }
    }

    public int queueDepth() {
        return queue.size();
    }

    public boolean storeUp() {
        return storeUp.get();
    }

    /** The writer thread: batches by count or age, renders, and hands each batch on or spills it. */
    private void run() {
        List<ExchangeRecord> batch = new ArrayList<>(batchSize);
        long firstSeen = 0;
        // Due by age early enough to wait for the inserter and still be out of memory in time.
        long dueNanos = flushNanos - handOffNanos;
        while (running || !queue.isEmpty()) {
            ExchangeRecord r;
            while (batch.size() < batchSize && (r = queue.poll()) != null) {
                if (batch.isEmpty()) {
                    firstSeen = r.queuedNanos; // the oldest: its age is the batch's
                }
                batch.add(r);
            }
            boolean due = batch.size() >= batchSize
                    || (!batch.isEmpty() && (!running || System.nanoTime() - firstSeen >= dueNanos));
            if (due) {
                route(render(batch, new ArrayList<>(batch.size())), firstSeen + flushNanos);
                batch = new ArrayList<>(batchSize);
                continue;
            }
            LockSupport.parkNanos(
                    this, batch.isEmpty() ? dueNanos : Math.max(0, dueNanos - (System.nanoTime() - firstSeen)));
        }
        if (!batch.isEmpty()) {
            route(render(batch, new ArrayList<>(batch.size())), firstSeen + flushNanos);
        }
        rendering = false;
        LockSupport.unpark(inserter);
    }

    /**
     * The writer thread with the WAL: group commit. Everything queued (up to a batch) is rendered,
     * forced to the WAL with one fsync, its answers released, then handed to the inserter.
     */
    private void walLoop() {
        List<ExchangeRecord> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty()) {
            ExchangeRecord r;
            while (batch.size() < batchSize && (r = queue.poll()) != null) {
                batch.add(r);
            }
            if (batch.isEmpty()) {
                writerIdle = true;
                if (running && queue.isEmpty()) {
                    LockSupport.parkNanos(this, flushNanos);
                }
                writerIdle = false;
                continue;
            }
            commit(batch);
            batch.clear();
        }
        rendering = false;
        LockSupport.unpark(inserter);
    }

    private void commit(List<ExchangeRecord> records) {
        WalBatch rows = render(records, new WalBatch(records.size()));
        try {
            rows.segment = wal.append(rows);
            stats.walCommits.increment();
            stats.walRows.add(rows.size());
        } catch (IOException | RuntimeException e) {
            walFailed(rows.size(), e);
        }
        for (ExchangeRecord r : records) {
            durable(r); // on disk (or not to be): the answers go out
        }
        // The rows are safe on disk: the inserter takes them if it has room, else the (forced) spill.
        if (!storeUp.get() || !backlog.offer(rows)) {
            spill(rows, true);
        }
    }

    /** Answers are never held hostage by a failing disk: they go out, counted, logged once a minute. */
    private void walFailed(int rows, Exception e) {
        stats.walFailed.add(rows);
        long now = System.nanoTime();
        if (!walFailureReported || now - walFailureLogged >= TimeUnit.MINUTES.toNanos(1)) {
            walFailureReported = true;
            walFailureLogged = now;
            log.error(
                    "request log: the write-ahead log in {} failed ({}); answers go out without their records on disk"
                            + " ({} so far; logged at most once a minute)",
                    config.spillDir(),
                    e.toString(),
                    stats.walFailed());
        }
    }

    /** A batch the WAL holds: its segment hears, once, when the rows are safe elsewhere. */
    private static final class WalBatch extends ArrayList<LogRow> {
        WriteAheadLog.Segment segment;
        final AtomicBoolean released = new AtomicBoolean();

        WalBatch(int size) {
            super(size);
        }
    }

    /** The rows are committed to the store or forced to the spill: the WAL may let them go. */
    private void released(List<LogRow> rows) {
        if (rows instanceof WalBatch b && b.segment != null && b.released.compareAndSet(false, true)) {
            wal.release(b.segment, b.size());
        }
    }

    private <L extends List<LogRow>> L render(List<ExchangeRecord> records, L rows) {
        for (ExchangeRecord r : records) {
            try {
                rows.add(renderer.apply(r));
            } catch (RuntimeException e) {
                // A rendering bug must not lose the exchange: keep what needs no rendering.
                log.error("request log: could not render the record of request {}", r.requestId, e);
                rows.add(RowFallback.metadataOnly(r));
            }
        }
        return rows;
    }

    /**
     * To the inserter, waiting for it until {@code deadline} (the batch's oldest record a flush
     * interval old): memory is no place for a record older than that, a crash would lose it. Past
     * it, or with the store down, the batch goes to the spill, which is fast (a process crash loses
     * nothing written there), so the queue keeps draining whatever the database does.
     */
    private void route(List<LogRow> rows, long deadline) {
        try {
            // Batches are due this much before their deadline, and one already past it (the writer
            // behind its queue) waits as long all the same: the inserter may be finishing a batch, or
            // its thread not yet scheduled on a busy machine, and a batch spilled for nothing costs
            // its CPU twice (and the replay it starts takes the inserter from the next live batch).
            long least = System.nanoTime() + handOffNanos;
            deadline = deadline - least < 0 ? least : deadline;
            while (storeUp.get()) {
                long wait = Math.max(deadline - System.nanoTime(), 0);
                if (backlog.offer(rows, Math.min(wait, INSERTER_POLL_NANOS), TimeUnit.NANOSECONDS)) {
                    return;
                }
                if (System.nanoTime() - deadline >= 0 || !running) {
                    break; // too old to keep in memory, or stopping: the next start replays the spill
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        spill(rows, true);
    }

    /** The inserter thread: live batches first; the spill is replayed whenever none is waiting. */
    private void insertLoop() {
        while (!abandoned) {
            // Read before the poll: once the writer is done, every batch it handed on is visible.
            boolean closing = !running && !rendering;
            // A live batch waiting goes first; with none waiting right now, a spilled batch goes (a
            // steady trickle of live batches must not starve the replay). A live batch that comes
            // meanwhile waits its bounded time, then spills, and is replayed in turn.
            List<LogRow> rows = backlog.poll();
            if (rows == null) {
                if (closing && (System.nanoTime() - closeDeadline >= 0 || !storeUp.get())) {
                    return;
                }
                if (replayOne()) {
                    continue;
                }
                if (closing) {
                    return; // everything is written and nothing is left to replay
                }
                try {
                    // Short: a stop (or a store back) must not wait out a long flush interval here.
                    rows = backlog.poll(Math.min(flushNanos, INSERTER_POLL_NANOS), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (rows == null) {
                    continue;
                }
            }
            insertLive(rows);
        }
    }

    private void insertLive(List<LogRow> rows) {
        inFlight = rows;
        try {
            insert(rows, stats.written);
            released(rows);
        } catch (SQLException | RuntimeException e) {
            if (abandoned) {
                return; // close() has spilled this batch already
            }
            storeDown(e);
            spill(rows, true);
            // What waits behind it would only fail the same way, a connection timeout each.
            for (List<LogRow> waiting; (waiting = backlog.poll()) != null; ) {
                spill(waiting, true);
            }
        } finally {
            inFlight = null;
        }
    }

    /**
     * Inserts a batch. A batch the database refuses for its data (not its connection) is retried
     * row by row, so one bad row costs only itself and never blocks the rest or sends the writer
     * into spill-and-replay forever; that row is retried once more with its JSON columns as JSON
     * strings, and dropped only if refused even so. The renderer already turns every value it knows
     * the database refuses into text, so a refused row is a bug to hear of: counted and logged at
     * ERROR. Throws when the store itself is failing.
     */
    private void insert(List<LogRow> rows, LongAdder counter) throws SQLException {
        try {
            store.insert(rows);
            if (!abandoned) { // else close() counted these as spilled: they are in the spill file too
                counter.add(rows.size());
                stats.batches.increment();
            }
            return;
        } catch (SQLException e) {
            if (isConnectionFailure(e) || !isRowFault(e) || rows.size() == 1 && !store.ping()) {
                throw e; // the store is failing (down, read-only, full): spill, do not drop
            }
            if (rows.size() == 1) {
                stats.refused.increment();
                boolean kept = insertAsText(rows.get(0), counter);
                log.error(
                        "request log: the store refused the row of request {} ({}); {}",
                        rows.get(0).requestId(),
                        brief(e),
                        kept ? "kept with its headers and bodies as JSON strings" : "dropped: refused even so");
                return;
            }
        }
        for (LogRow row : rows) {
            insert(List.of(row), counter);
        }
    }

    /** The last try of a refused row: its headers and bodies as JSON strings; false if refused even so. */
    private boolean insertAsText(LogRow row, LongAdder counter) throws SQLException {
        try {
            store.insert(List.of(row.withJsonAsText()));
            if (!abandoned) {
                counter.increment();
                stats.batches.increment();
            }
            return true;
        } catch (SQLException e) {
            if (isConnectionFailure(e) || !isRowFault(e)) {
                throw e;
            }
            stats.dropped.increment();
            return false;
        }
    }

    /**
     * An exception for a log line without the row: a driver's batch error quotes the whole
     * statement with its values (bodies, even redacted, do not belong in the operator's log).
     */
    static String brief(Throwable e) {
        Throwable t = e;
        if (e instanceof java.sql.BatchUpdateException b && b.getNextException() != null) {
            t = b.getNextException();
        }
        String message = String.valueOf(t.getMessage());
        int cut = message.indexOf(" INSERT ");
        if (cut < 0) {
            cut = message.indexOf('\n');
        }
        if (cut >= 0) {
            message = message.substring(0, cut);
        }
        if (message.length() > 200) {
            message = message.substring(0, 200) + "...";
        }
        String state = t instanceof SQLException sql && sql.getSQLState() != null ? " [" + sql.getSQLState() + "]" : "";
        return t.getClass().getSimpleName() + state + ": " + message;
    }

    /**
     * Whether the database refused the data rather than the write: PostgreSQL's classes 22 (data
     * exception), 23 (integrity) and 42 (syntax or undefined object); SQLite's TOOBIG, CONSTRAINT
     * and MISMATCH. Anything else (a read-only standby, a full disk, an operator's cancel) is the
     * store failing, and its rows are spilled, not dropped.
     */
    static boolean isRowFault(SQLException e) {
        SQLException first =
                e instanceof java.sql.BatchUpdateException && e.getNextException() != null ? e.getNextException() : e;
        if (first instanceof org.sqlite.SQLiteException lite) {
            int code = lite.getErrorCode() & 0xFF;
            return code == 18 || code == 19 || code == 20;
        }
        String state = first.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
    }

    /** SQLState class 08 (connection exception), or the driver's and the pool's transient failures. */
    static boolean isConnectionFailure(SQLException e) {
        if (e.getNextException() != null && e.getNextException() != e && isConnectionFailure(e.getNextException())) {
            return true; // a batch error carries the real cause as the next exception
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientException
                    || t instanceof java.sql.SQLRecoverableException
                    || t instanceof java.net.SocketException
                    || t instanceof java.io.EOFException) {
                return true;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
            if (t instanceof org.sqlite.SQLiteException lite
                    && (lite.getErrorCode() == SQLITE_BUSY || lite.getErrorCode() == SQLITE_LOCKED)) {
                return true; // another process holds the file locked past busy_timeout: the store, not the row
            }
        }
        return false;
    }

    private void storeDown(Exception e) {
        if (storeUp.compareAndSet(true, false)) {
            log.warn(
                    "request log: the {} store failed ({}); spilling to {} until it is back",
                    config.store().name().toLowerCase(Locale.ROOT),
                    brief(e),
                    config.spillDir());
        }
    }

    private void spill(List<LogRow> rows, boolean fresh) {
        try {
            spill.append(rows, wal != null); // forced with the WAL: it lets them go once there
            if (fresh) {
                stats.spilled.add(rows.size());
            }
            released(rows);
        } catch (IOException e) {
            stats.dropped.add(rows.size());
            log.error(
                    "request log: {} record(s) lost: the spill file in {} failed: {}",
                    rows.size(),
                    config.spillDir(),
                    e.toString());
        }
    }

    /** A slice of the spill into the store, when it is up and keeping up; true if any was replayed. */
    private boolean replayOne() {
        if (!storeUp.get()) {
            return false;
        }
        List<LogRow> rows;
        long[] corrupt = {0};
        try {
            if (!spill.hasRows()) {
                return false;
            }
            // In slices while the writer runs: a live batch that comes during a replay waits for the
            // inserter a bounded time, then is spilled in turn. A replay of a whole batch outlasted that
            // wait under load, so each replay spilled the next live batch, and on a busy machine the
            // log fell into writing every other row twice (spilled, read back, inserted) for good.
            // A slice keeps the inserter a few milliseconds away from the next live batch.
            int max = running ? Math.max(1, batchSize / REPLAY_SLICES) : batchSize;
            rows = spill.nextBatch(max, corrupt);
        } catch (IOException e) {
            log.error("request log: reading the spill file failed: {}", e.toString());
            return false;
        }
        if (corrupt[0] > 0) {
            stats.dropped.add(corrupt[0]);
            log.error("request log: {} unreadable line(s) in the spill file skipped", corrupt[0]);
        }
        if (rows.isEmpty()) {
            return corrupt[0] > 0;
        }
        try {
            insert(rows, stats.replayed);
        } catch (SQLException | RuntimeException e) {
            storeDown(e);
            spill(rows, false); // back to a new segment; the store skips any that did make it
        }
        return true;
    }

    /** On the probe thread: finds the store back (migrating first if that has not happened yet). */
    private void probe() {
        if (storeUp.get()) {
            return;
        }
        try {
            if (!store.ping()) {
                if (!migrated && !toldUnreachable) {
                    toldUnreachable = true; // once: from here on the spill and the stats tell the story
                    log.warn(
                            "request log: the {} store does not answer at start; rows are spilled to {} and written once it does",
                            config.store().name().toLowerCase(Locale.ROOT),
                            config.spillDir());
                }
                return;
            }
            if (!migrated) {
                store.migrate();
                migrated = true;
            }
            storeUp.set(true);
            probeFailures = 0;
            log.info(
                    "request log: the {} store is reachable",
                    config.store().name().toLowerCase(Locale.ROOT));
        } catch (SQLException | RuntimeException e) {
            // Once a minute while it lasts: the probe runs every second.
            if (probeFailures++ % 60 == 0) {
                log.warn(
                        "request log: the {} store is not ready: {}",
                        config.store().name().toLowerCase(Locale.ROOT),
                        brief(e));
            }
        }
    }

    private void applyRetention() {
        Duration keep = retention;
        if (keep.isZero() || !storeUp.get()) {
            return;
        }
        Instant cutoff = Instant.now().minus(keep);
        try {
            int deleted;
            long total = 0;
            do {
                deleted = store.deleteOlderThan(cutoff, RETENTION_BATCH);
                total += deleted;
            } while (deleted == RETENTION_BATCH && running);
            if (total > 0) {
                log.info("request log: retention deleted {} row(s) older than {}", total, cutoff);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("request log: retention failed: {}", brief(e));
        }
    }

    /** Runs retention now (tests, and operators through a future admin call). */
    public void runRetention() {
        applyRetention();
    }

    /**
     * Stops taking records, then writes what is queued and replays the spill while the store
     * answers, for at most the drain timeout. If the store holds the inserter past it, the batches
     * it has not confirmed are spilled (a row that did make it is skipped at replay), so every
     * record is written, spilled, or counted as dropped when this returns. What is spilled is
     * replayed at the next start.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        closeDeadline = deadline;
        // Before the stop is signalled: the inserter gives up at once on a store it believes down, so
        // a store back since the last periodic probe must be known as such before it looks.
        probe();
        running = false;
        LockSupport.unpark(writer);
        if (!join(writer, deadline)) {
            long lost = queue.size();
            stats.dropped.add(lost);
            log.warn(
                    "request log: {} record(s) still queued after {} ms are lost",
                    lost,
                    config.drainTimeout().toMillis());
        }
        probe(); // a store that came back during the drain still gets the spill
        boolean inserterDone = join(inserter, deadline);
        if (!inserterDone) {
            abandoned = true;
            List<LogRow> held = inFlight;
            if (held != null) {
                spill(held, true);
            }
            for (List<LogRow> waiting; (waiting = backlog.poll()) != null; ) {
                spill(waiting, true);
            }
            log.warn(
                    "request log: the {} store did not finish within {} ms; its unconfirmed rows are spilled for the next start",
                    config.store().name().toLowerCase(Locale.ROOT),
                    config.drainTimeout().toMillis());
        }
        background.shutdownNow();
        if (wal != null && !writer.isAlive()) {
            wal.close(); // deleted if every row made it to the store or the spill, else replayed next start
        }
        try {
            spill.close();
        } catch (IOException e) {
            log.warn("request log: closing the spill file failed: {}", e.toString());
        }
        if (inserterDone) {
            store.close(); // else the stuck inserter still uses it; the process is ending anyway
        }
        log.info("request log: stopped ({})", stats);
    }

    private static boolean join(Thread t, long deadline) {
        try {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
