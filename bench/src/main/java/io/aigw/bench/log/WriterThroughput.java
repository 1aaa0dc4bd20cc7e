package io.aigw.bench.log;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Store;
import io.aigw.core.log.LogQuery;
import io.aigw.core.log.LogRow;
import io.aigw.core.log.LogStore;
import io.aigw.core.log.LogStores;
import io.aigw.core.log.LogWriterStats;
import io.aigw.core.log.Redactor;
import io.aigw.core.log.RequestLogWriter;
import io.aigw.core.log.RowRenderer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The request-log writer's rows per second on its own: {@link SampleExchanges} records pushed through
 * a real {@link RequestLogWriter} with the real {@link RowRenderer} (every built-in redaction rule, as
 * the default config has) into a real store, timed from the first offer to the last row written.
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' io.aigw.bench.log.WriterThroughput \
 *   --store postgres|sqlite|discard [--url jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=s]
 *   [--user postgres] [--password ''] [--sqlite-path FILE] [--rows 200000] [--warmup-rows 20000]
 *   [--stream-every 3] [--batch-size 500] [--queue-capacity 65536]
 * </pre>
 *
 * {@code --stream-every 3} makes every third record a stream (0: none). {@code discard} is a store
 * that keeps nothing: it measures queue and rendering alone. The producer keeps the queue below a
 * quarter of its capacity, because the writer spills instead of inserting once the queue is half
 * full; that is the writer's overload path, not its insert rate. One JSON line on stdout.
 */
public final class WriterThroughput {

    private WriterThroughput() {}

    public static void main(String[] args) throws Exception {
        System.out.println(run(args));
    }

    /** Runs once and returns the JSON summary line. */
    public static String run(String... args) throws Exception {
        Map<String, String> o = Args.parse(
                args,
                "--store",
                "postgres",
                "--url",
                "jdbc:postgresql://127.0.0.1:5432/postgres",
                "--user",
                "postgres",
                "--password",
                "",
                "--sqlite-path",
                "",
                "--rows",
                "200000",
                "--warmup-rows",
                "20000",
                "--stream-every",
                "3",
                "--batch-size",
                "500",
                "--queue-capacity",
                "65536");
        String storeName = o.get("--store").toLowerCase(Locale.ROOT);
        int rows = Integer.parseInt(o.get("--rows"));
        int warmup = Integer.parseInt(o.get("--warmup-rows"));
        int streamEvery = Integer.parseInt(o.get("--stream-every"));
        Path tmp = Files.createTempDirectory("aigw-writer-bench");
        try {
            Path sqlitePath =
                    o.get("--sqlite-path").isEmpty() ? tmp.resolve("requests.db") : Path.of(o.get("--sqlite-path"));
            LogStore store;
            Store kind;
            switch (storeName) {
                case "postgres" -> {
                    store = LogStores.postgres(o.get("--url"), o.get("--user"), o.get("--password"));
                    kind = Store.POSTGRES;
                }
                case "sqlite" -> {
                    store = LogStores.sqlite(sqlitePath);
                    kind = Store.SQLITE;
                }
                case "discard" -> {
                    store = new DiscardStore();
                    kind = Store.OFF;
                }
                default -> throw new IllegalArgumentException("--store must be postgres, sqlite or discard");
            }
            RequestLogConfig d = RequestLogConfig.defaults(tmp);
            RequestLogConfig config = new RequestLogConfig(
                    kind,
                    Bodies.FULL,
                    d.maxBodyBytes(),
                    sqlitePath,
                    null,
                    Duration.ZERO,
                    d.redactRules(),
                    d.customRedactions(),
                    Integer.parseInt(o.get("--queue-capacity")),
                    Integer.parseInt(o.get("--batch-size")),
                    d.flushInterval(),
                    tmp.resolve("spill"),
                    Duration.ofSeconds(60));
            RowRenderer renderer = new RowRenderer(Redactor.of(config.redactRules(), config.customRedactions()));
            SampleExchanges samples = new SampleExchanges();
            RequestLogWriter writer = new RequestLogWriter(config, store, renderer::render).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!writer.storeUp()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(storeName + " store not reachable within 30 s");
                    }
                    Thread.sleep(50);
                }
                push(writer, samples, 0, warmup, streamEvery, config.queueCapacity());
                LogWriterStats s = writer.stats();
                long[] cpu0 = writerThreadsCpu();
                long start = System.nanoTime();
                long blocked = push(writer, samples, warmup, rows, streamEvery, config.queueCapacity());
                long end = System.nanoTime();
                long[] cpu1 = writerThreadsCpu();
                double seconds = (end - start) / 1e9;
                int streamed = streamEvery <= 0
                        ? 0
                        : (int) (countStreams(warmup + rows, streamEvery) - countStreams(warmup, streamEvery));
                return "{\"store\":\"" + storeName + "\",\"rows\":" + rows + ",\"streamed\":" + streamed
                        + ",\"request_bytes\":" + samples.requestBytes() + ",\"response_bytes\":"
                        + samples.responseBytes()
                        + ",\"sse_bytes\":" + samples.sseBytes() + ",\"batch_size\":" + config.batchSize()
                        + ",\"seconds\":" + String.format(Locale.ROOT, "%.3f", seconds)
                        + ",\"rows_per_s\":" + Math.round(rows / seconds)
                        + ",\"writer_cpu_us_per_row\":" + perRow(cpu1[0] - cpu0[0], rows)
                        + ",\"inserter_cpu_us_per_row\":" + perRow(cpu1[1] - cpu0[1], rows)
                        + ",\"producer_waited_ms\":" + TimeUnit.NANOSECONDS.toMillis(blocked)
                        + ",\"written\":" + s.written() + ",\"batches\":" + s.batches() + ",\"spilled\":" + s.spilled()
                        + ",\"replayed\":" + s.replayed() + ",\"dropped\":" + s.dropped() + "}";
            } finally {
                writer.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind harms nothing
            }
        }
    }

    /**
     * Offers records {@code from} .. {@code from + count - 1} and returns once every one of them is in
     * the store (written or replayed); returns the nanoseconds the producer waited for queue room.
     */
    private static long push(
            RequestLogWriter writer, SampleExchanges samples, long from, int count, int streamEvery, int capacity) {
        LogWriterStats s = writer.stats();
        long target = s.written() + s.replayed() + count;
        int room = Math.max(1, capacity / 4);
        long waited = 0;
        for (long n = from; n < from + count; n++) {
            if (writer.queueDepth() >= room) {
                long t = System.nanoTime();
                while (writer.queueDepth() >= room) {
                    LockSupport.parkNanos(20_000);
                }
                waited += System.nanoTime() - t;
            }
            writer.offer(samples.record(n, streamEvery > 0 && n % streamEvery == streamEvery - 1));
        }
        while (s.written() + s.replayed() < target) {
            if (s.dropped() > 0) {
                throw new IllegalStateException("the writer dropped " + s.dropped() + " record(s): " + s);
            }
            LockSupport.parkNanos(200_000);
        }
        return waited;
    }

    /**
     * CPU nanoseconds so far of the writer's two threads (rendering; inserting, which for PostgreSQL
     * includes building the COPY stream), found by name: the share of a core each row costs the proxy.
     */
    private static long[] writerThreadsCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] cpu = new long[2];
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            int slot = t.getThreadName().startsWith("aigw-log-writer")
                    ? 0
                    : t.getThreadName().startsWith("aigw-log-insert") ? 1 : -1;
            long ns = slot < 0 ? -1 : mx.getThreadCpuTime(t.getThreadId());
            if (ns > 0) {
                cpu[slot] += ns;
            }
        }
        return cpu;
    }

    private static String perRow(long nanos, int rows) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1000.0 / rows);
    }

    private static long countStreams(long n, int every) {
        return n / every;
    }

    /** Keeps nothing: the writer's queue and rendering alone. */
    private static final class DiscardStore implements LogStore {
        @Override
        public void migrate() {}

        @Override
        public void insert(List<LogRow> rows) {}

        @Override
        public boolean ping() {
            return true;
        }

        @Override
        public int deleteOlderThan(Instant cutoff, int limit) {
            return 0;
        }

        @Override
        public List<LogRow> query(LogQuery query) {
            return List.of();
        }

        @Override
        public void close() {}
    }
}
