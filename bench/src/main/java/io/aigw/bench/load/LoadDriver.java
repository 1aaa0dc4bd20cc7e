package io.aigw.bench.load;

import io.aigw.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * The load generator: a Netty HTTP/1.1 keep-alive client with four modes (rate, max, stream, hold).
 * Every run ends with exactly one JSON summary line on stdout; progress and diagnostics go to stderr.
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' io.aigw.bench.load.LoadDriver \
 *   --url http://127.0.0.1:8080/v1/chat/completions --body-file body.json [--header 'Name: value']... \
 *   --mode rate|max|stream|hold [--threads 1]
 *   rate:   --rate R --duration S --warmup S [--connections 64] [--max-connections 512]
 *   max:    --duration S --warmup S [--connections 64]
 *   stream: --duration S --warmup S [--connections 64] [--expect-chunks K]
 *   hold:   --streams N [--ramp-per-s 2000] [--expect-chunks K] [--timeout 60]
 *   all but hold: [--drain 10] seconds to wait for in-flight requests after the duration
 * </pre>
 */
public final class LoadDriver {

    private static final long HIGHEST_US = TimeUnit.HOURS.toMicros(1);
    private static final long NS = 1_000_000_000L;

    private LoadDriver() {}

    /** Parsed command line. Durations in seconds; {@code expectChunks} &lt; 0 means "do not check". */
    public record Config(
            String url,
            byte[] body,
            List<String> headers,
            String mode,
            int threads,
            double rate,
            double durationS,
            double warmupS,
            int connections,
            int maxConnections,
            int expectChunks,
            int streams,
            double rampPerS,
            double timeoutS,
            double drainS) {

        public static Config parse(String... args) {
            String url = null;
            byte[] body = null;
            List<String> headers = new ArrayList<>();
            String mode = null;
            int threads = 1;
            double rate = 0;
            double duration = 10;
            double warmup = 1;
            int connections = 64;
            int maxConnections = 512;
            int expect = -1;
            int streams = 0;
            double ramp = 2000;
            double timeout = 60;
            double drain = 10;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                } else {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    v = args[++i];
                }
                switch (a) {
                    case "--url" -> url = v;
                    case "--body-file" -> {
                        try {
                            body = Files.readAllBytes(Path.of(v));
                        } catch (IOException e) {
                            throw new IllegalArgumentException("cannot read --body-file " + v + ": " + e);
                        }
                    }
                    case "--header" -> headers.add(v);
                    case "--mode" -> mode = v.toLowerCase(Locale.ROOT);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--rate" -> rate = Double.parseDouble(v);
                    case "--duration" -> duration = Double.parseDouble(v);
                    case "--warmup" -> warmup = Double.parseDouble(v);
                    case "--connections" -> connections = Integer.parseInt(v);
                    case "--max-connections" -> maxConnections = Integer.parseInt(v);
                    case "--expect-chunks" -> expect = Integer.parseInt(v);
                    case "--streams" -> streams = Integer.parseInt(v);
                    case "--ramp-per-s" -> ramp = Double.parseDouble(v);
                    case "--timeout" -> timeout = Double.parseDouble(v);
                    case "--drain" -> drain = Double.parseDouble(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("--url is required");
            }
            if (mode == null || !List.of("rate", "max", "stream", "hold").contains(mode)) {
                throw new IllegalArgumentException("--mode must be rate, max, stream or hold");
            }
            if (mode.equals("rate") && rate <= 0) {
                throw new IllegalArgumentException("rate mode needs --rate > 0");
            }
            if (mode.equals("hold") && streams <= 0) {
                throw new IllegalArgumentException("hold mode needs --streams > 0");
            }
            if (threads < 1
                    || connections < 1
                    || duration <= 0
                    || warmup < 0
                    || ramp <= 0
                    || timeout <= 0
                    || drain < 0) {
                throw new IllegalArgumentException(
                        "--threads, --connections, --duration, --ramp-per-s and --timeout must be positive");
            }
            return new Config(
                    url,
                    body,
                    List.copyOf(headers),
                    mode,
                    threads,
                    rate,
                    duration,
                    warmup,
                    connections,
                    Math.max(connections, maxConnections),
                    expect,
                    streams,
                    ramp,
                    timeout,
                    drain);
        }
    }

    public static Map<String, Object> run(String... args) {
        return run(Config.parse(args));
    }

    /** Runs one load test and returns its summary (the map printed as the JSON line). */
    public static Map<String, Object> run(Config cfg) {
        return switch (cfg.mode()) {
            case "rate" -> new RateMode(cfg).run();
            case "max" -> new ClosedLoop(cfg, false).run();
            case "stream" -> new ClosedLoop(cfg, true).run();
            case "hold" -> new HoldMode(cfg).run();
            default -> throw new IllegalArgumentException("unknown mode " + cfg.mode());
        };
    }

    public static void main(String[] args) {
        // Anything a library logs to stdout must not corrupt the one JSON line a script parses.
        PrintStream out = System.out;
        System.setOut(System.err);
        String mode = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--mode")) {
                mode = args[i + 1];
            }
        }
        Map<String, Object> summary;
        int rc = 0;
        try {
            summary = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadDriver: " + e.getMessage());
            System.err.println(
                    "usage: LoadDriver --url URL --body-file FILE [--header 'Name: value']... --mode rate|max|stream|hold"
                            + " [--threads N] [--rate R] [--duration S] [--warmup S] [--connections C] [--max-connections M]"
                            + " [--expect-chunks K] [--streams S] [--ramp-per-s R] [--timeout S] [--drain S]");
            summary = errorSummary(mode, e);
            rc = 2;
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            summary = errorSummary(mode, e);
            rc = 1;
        }
        out.println(toJson(summary));
        out.flush();
        System.exit(rc);
    }

    private static Map<String, Object> errorSummary(String mode, Throwable e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("error", String.valueOf(e.getMessage() != null ? e.getMessage() : e.toString()));
        return m;
    }

    /** One-line JSON of a flat map of strings, numbers, booleans and nulls. */
    public static String toJson(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder(256).append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    sb.append("null");
                } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                    sb.append((long) d);
                } else {
                    sb.append(String.format(Locale.ROOT, "%.2f", d));
                }
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                String s = v.toString();
                sb.append('"');
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c == '"' || c == '\\') {
                        sb.append('\\').append(c);
                    } else if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
                sb.append('"');
            }
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------ shared plumbing

    /** The event loops, bootstrap and pre-encoded request of one run. */
    static final class Client implements AutoCloseable {
        final EventLoopGroup group;
        final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        private final Bootstrap bootstrap;
        private final InetSocketAddress address;
        private final ByteBuf request;

        Client(Config cfg, Conn.Events events, boolean countSse) {
            URI uri = URI.create(cfg.url());
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("--url must be http://host[:port]/path, got " + cfg.url());
            }
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            address = new InetSocketAddress(uri.getHost(), port);
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve " + uri.getHost());
            }
            byte[] bytes = encodeRequest(uri, port, cfg.body(), cfg.headers());
            // Shared, not leak-tracked: every write sends a retained duplicate; the last release frees it.
            request = new UnpooledByteBufAllocator(true, true)
                    .directBuffer(bytes.length, bytes.length)
                    .writeBytes(bytes);
            Transport transport = Transport.detect();
            group = transport.newGroup(cfg.threads(), "load-driver");
            HttpDecoderConfig decoderConfig = new HttpDecoderConfig().setValidateHeaders(false);
            bootstrap = new Bootstrap()
                    .group(group)
                    .channel(transport.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.add(ch);
                            ch.pipeline()
                                    .addLast(
                                            new HttpResponseDecoder(decoderConfig),
                                            new Conn(request, events, countSse));
                        }
                    });
        }

        ChannelFuture connect() {
            return bootstrap.connect(address);
        }

        void closeChannels() {
            channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            closeChannels();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            request.release();
        }

        private static byte[] encodeRequest(URI uri, int port, byte[] body, List<String> headers) {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            StringBuilder head = new StringBuilder(256)
                    .append(body != null ? "POST " : "GET ")
                    .append(path)
                    .append(" HTTP/1.1\r\n");
            boolean hasHost = false;
            boolean hasType = false;
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("--header must be 'Name: value', got " + h);
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (name.equals("content-length") || name.equals("transfer-encoding")) {
                    continue;
                }
                hasHost |= name.equals("host");
                hasType |= name.equals("content-type");
                head.append(h.substring(0, colon).trim())
                        .append(": ")
                        .append(h.substring(colon + 1).trim())
                        .append("\r\n");
            }
            if (!hasHost) {
                head.append("host: ")
                        .append(uri.getHost())
                        .append(':')
                        .append(port)
                        .append("\r\n");
            }
            if (body != null) {
                if (!hasType) {
                    head.append("content-type: application/json\r\n");
                }
                head.append("content-length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[h.length + (body == null ? 0 : body.length)];
            System.arraycopy(h, 0, all, 0, h.length);
            if (body != null) {
                System.arraycopy(body, 0, all, h.length, body.length);
            }
            return all;
        }
    }

    /** Microsecond latency histogram, 3 significant digits, safe across event loop threads. */
    static final class Histo {
        final SynchronizedHistogram h = new SynchronizedHistogram(HIGHEST_US, 3);

        void recordNanos(long nanos) {
            h.recordValue(Math.max(0, Math.min(HIGHEST_US, nanos / 1000)));
        }

        long p(double percentile) {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
        }

        long max() {
            return h.getTotalCount() == 0 ? 0 : h.getMaxValue();
        }
    }

    /** A growable FIFO of longs (intended send times waiting for a free connection). */
    static final class LongQueue {
        private long[] a = new long[1024];
        private int head;
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void add(long v) {
            if (size == a.length) {
                long[] b = new long[a.length * 2];
                for (int i = 0; i < size; i++) {
                    b[i] = a[(head + i) & (a.length - 1)];
                }
                a = b;
                head = 0;
            }
            a[(head + size) & (a.length - 1)] = v;
            size++;
        }

        long poll() {
            long v = a[head];
            head = (head + 1) & (a.length - 1);
            size--;
            return v;
        }
    }

    static void parkUntil(long deadline) {
        long now;
        while ((now = System.nanoTime()) - deadline < 0) {
            LockSupport.parkNanos(deadline - now);
        }
    }

    /** Waits (polling every few ms, printing progress every 5 s) until {@code cond} holds or the deadline passes. */
    static void await(BooleanSupplier cond, long deadline, String what, Supplier<String> progress) {
        long nextReport = System.nanoTime() + 5 * NS;
        while (!cond.getAsBoolean() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(2_000_000);
            if (System.nanoTime() - nextReport >= 0) {
                System.err.println("LoadDriver: " + what + ": " + progress.get());
                nextReport += 5 * NS;
            }
        }
    }

    static boolean between(long t, long from, long to) {
        return t - from >= 0 && t - to <= 0;
    }

    // ------------------------------------------------------------------ rate: open loop

    /**
     * Open loop at a constant rate. A dedicated dispatcher thread parks until each request's intended
     * time and hands it to a free connection's event loop; when none is free the intended time waits in
     * a backlog (and a new connection is opened, up to --max-connections), so queueing counts towards
     * latency, which is always measured from the intended send time.
     */
    static final class RateMode implements Conn.Events {
        private static final int MAX_PENDING_CONNECTS = 4;
        private static final long GROWTH_INTERVAL_NS = 1_000_000;
        private final Config cfg;
        private final Object lock = new Object();
        private final ArrayDeque<Conn> idle = new ArrayDeque<>();
        private final LongQueue backlog = new LongQueue();
        private int opened;
        private int opening;
        private int peakOpened;
        private long lastGrowth = System.nanoTime() - GROWTH_INTERVAL_NS;
        private final Histo hist = new Histo();
        private final LongAdder errors = new LongAdder();
        private final LongAdder measured = new LongAdder();
        private final LongAdder okInWindow = new LongAdder();
        private final LongAdder connectFailures = new LongAdder();
        private final AtomicLong finishedAll = new AtomicLong();
        private volatile long measureStart;
        private volatile long measureEnd;
        private volatile boolean measuring;
        private volatile boolean stopping;
        private Client client;

        RateMode(Config cfg) {
            this.cfg = cfg;
        }

        Map<String, Object> run() {
            client = new Client(cfg, this, false);
            long total = Math.max(1, Math.round(cfg.rate() * (cfg.warmupS() + cfg.durationS())));
            try {
                synchronized (lock) {
                    opening += cfg.connections();
                }
                for (int i = 0; i < cfg.connections(); i++) {
                    openOne();
                }
                await(
                        () -> {
                            synchronized (lock) {
                                return opening == 0;
                            }
                        },
                        System.nanoTime() + 5 * NS,
                        "connecting",
                        () -> opened + " connected");
                long t0 = System.nanoTime() + 1_000_000;
                measureStart = t0 + (long) (cfg.warmupS() * NS);
                measureEnd = measureStart + (long) (cfg.durationS() * NS);
                measuring = true;
                double interval = NS / cfg.rate();
                Thread dispatcher = new Thread(
                        () -> {
                            for (long i = 0; i < total; i++) {
                                long intended = t0 + (long) (i * interval);
                                parkUntil(intended);
                                dispatch(intended);
                            }
                        },
                        "load-dispatcher");
                dispatcher.setDaemon(true);
                dispatcher.start();
                dispatcher.join();
                await(
                        () -> finishedAll.get() >= total,
                        measureEnd + (long) (cfg.drainS() * NS),
                        "draining",
                        () -> finishedAll.get() + "/" + total + " finished");
                stopping = true;
                long now = System.nanoTime();
                synchronized (lock) {
                    while (!backlog.isEmpty()) {
                        finish(backlog.poll(), false, now);
                    }
                }
                client.closeChannels();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopping = true;
                client.close();
            }
            if (connectFailures.sum() > 0) {
                System.err.println("LoadDriver: " + connectFailures.sum() + " connection attempts failed");
            }
            System.err.println("LoadDriver: peak connections " + peakOpened);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", "rate");
            m.put("target_rps", cfg.rate());
            m.put("achieved_rps", okInWindow.sum() / cfg.durationS());
            m.put("requests", measured.sum());
            m.put("errors", errors.sum());
            m.put("p50_us", hist.p(50));
            m.put("p90_us", hist.p(90));
            m.put("p99_us", hist.p(99));
            m.put("p999_us", hist.p(99.9));
            m.put("max_us", hist.max());
            return m;
        }

        private void openOne() {
            client.connect().addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    connectFailures.increment();
                    boolean has;
                    long v = 0;
                    synchronized (lock) {
                        opening--;
                        has = !backlog.isEmpty();
                        if (has) {
                            v = backlog.poll();
                        }
                    }
                    if (has) {
                        finish(v, false, System.nanoTime());
                    }
                }
            });
        }

        private void dispatch(long intended) {
            Conn c;
            boolean connect = false;
            synchronized (lock) {
                c = idle.pollFirst();
                if (c == null) {
                    backlog.add(intended);
                    connect = shouldOpen();
                    if (connect) {
                        opening++;
                    }
                }
            }
            if (c != null) {
                Conn conn = c;
                conn.ch.eventLoop().execute(() -> conn.send(intended));
            }
            if (connect) {
                openOne();
            }
        }

        /**
         * Whether to open one more connection for the backlog (under the lock). At most one pending
         * connect per waiting request, a few at a time and one per millisecond (1000 per second), so a
         * short stall (a GC pause) does not turn into a storm of hundreds of connects that makes the
         * stall longer, while a slow server still gets the connections it needs within a fraction of
         * a second.
         */
        private boolean shouldOpen() {
            if (backlog.size() <= opening
                    || opening >= MAX_PENDING_CONNECTS
                    || opened + opening >= cfg.maxConnections()) {
                return false;
            }
            long now = System.nanoTime();
            if (now - lastGrowth < GROWTH_INTERVAL_NS) {
                return false;
            }
            lastGrowth = now;
            return true;
        }

        private void finish(long intended, boolean ok, long now) {
            if (measuring && intended - measureStart >= 0) {
                measured.increment();
                if (ok) {
                    hist.recordNanos(now - intended);
                } else {
                    errors.increment();
                }
            }
            if (ok && measuring && between(now, measureStart, measureEnd)) {
                okInWindow.increment();
            }
            finishedAll.incrementAndGet();
        }

        /** Gives the connection the oldest waiting request, or parks it in the idle set. */
        private void nextFor(Conn c) {
            boolean has;
            long v = 0;
            synchronized (lock) {
                has = !backlog.isEmpty();
                if (has) {
                    v = backlog.poll();
                } else {
                    idle.addLast(c);
                }
            }
            if (has) {
                c.send(v);
            }
        }

        @Override
        public void connected(Conn c) {
            synchronized (lock) {
                opening--;
                opened++;
                peakOpened = Math.max(peakOpened, opened);
            }
            if (stopping) {
                c.ch.close();
                return;
            }
            nextFor(c);
        }

        @Override
        public void responseDone(Conn c, long now) {
            finish(c.base, c.status >= 200 && c.status < 300, now);
            if (!c.closeAfter && !stopping) {
                nextFor(c);
            }
        }

        @Override
        public void closed(Conn c, boolean wasInFlight, long now) {
            boolean reopen;
            synchronized (lock) {
                idle.remove(c);
                opened--;
                reopen = !stopping && shouldOpen();
                if (reopen) {
                    opening++;
                }
            }
            if (wasInFlight) {
                finish(c.base, false, now);
            }
            if (reopen) {
                openOne();
            }
        }

        @Override
        public void sendFailed(Conn c, long base) {
            finish(base, false, System.nanoTime());
        }
    }

    // ------------------------------------------------------------------ max and stream: closed loop

    /** Closed loop: each connection sends its next request as soon as the previous response completed. */
    static final class ClosedLoop implements Conn.Events {
        private final Config cfg;
        private final boolean streaming;
        private final Histo latency = new Histo();
        private final Histo ttfc = new Histo();
        private final LongAdder errors = new LongAdder();
        private final LongAdder completed = new LongAdder();
        /** Every response, warm-up and errors included: what the target served while the driver ran. */
        private final LongAdder responses = new LongAdder();

        private final LongAdder bad = new LongAdder();
        private final LongAdder okInWindow = new LongAdder();
        private final LongAdder connectFailures = new LongAdder();
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile long measureStart;
        private volatile long end;
        private volatile boolean stopping;
        private Client client;

        ClosedLoop(Config cfg, boolean streaming) {
            this.cfg = cfg;
            this.streaming = streaming;
        }

        Map<String, Object> run() {
            client = new Client(cfg, this, streaming);
            try {
                long t0 = System.nanoTime();
                measureStart = t0 + (long) (cfg.warmupS() * NS);
                end = measureStart + (long) (cfg.durationS() * NS);
                for (int i = 0; i < cfg.connections(); i++) {
                    openOne();
                }
                await(() -> false, end, "running", () -> completed.sum() + " measured, " + errors.sum() + " errors");
                await(
                        () -> inFlight.get() <= 0,
                        end + (long) (cfg.drainS() * NS),
                        "draining",
                        () -> inFlight.get() + " in flight");
                stopping = true;
                client.closeChannels();
            } finally {
                stopping = true;
                client.close();
            }
            if (connectFailures.sum() > 0) {
                System.err.println("LoadDriver: " + connectFailures.sum() + " connection attempts failed");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            double rps = okInWindow.sum() / cfg.durationS();
            if (streaming) {
                m.put("mode", "stream");
                m.put("streams_per_s", rps);
                m.put("streams", completed.sum());
                m.put("responses_all", responses.sum());
                m.put("errors", errors.sum());
                m.put("bad_streams", bad.sum());
                m.put("ttfc_p50_us", ttfc.p(50));
                m.put("ttfc_p99_us", ttfc.p(99));
                m.put("total_p50_us", latency.p(50));
                m.put("total_p99_us", latency.p(99));
            } else {
                m.put("mode", "max");
                m.put("rps", rps);
                m.put("requests", completed.sum());
                m.put("responses_all", responses.sum());
                m.put("errors", errors.sum());
                m.put("p50_us", latency.p(50));
                m.put("p99_us", latency.p(99));
                m.put("p999_us", latency.p(99.9));
                m.put("max_us", latency.max());
            }
            return m;
        }

        private boolean running(long now) {
            return !stopping && now - end < 0;
        }

        private boolean measured(long t) {
            return t - measureStart >= 0;
        }

        private void openOne() {
            if (!running(System.nanoTime())) {
                return;
            }
            client.connect().addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    connectFailures.increment();
                    long now = System.nanoTime();
                    if (measured(now) && running(now)) {
                        errors.increment();
                    }
                    if (running(now)) {
                        client.group.next().schedule(this::openOne, 100, TimeUnit.MILLISECONDS);
                    }
                }
            });
        }

        private void sendNext(Conn c, long now) {
            if (running(now)) {
                inFlight.incrementAndGet();
                c.send(now);
            } else {
                c.ch.close();
            }
        }

        @Override
        public void connected(Conn c) {
            sendNext(c, System.nanoTime());
        }

        @Override
        public void responseDone(Conn c, long now) {
            inFlight.decrementAndGet();
            responses.increment();
            boolean ok = c.status >= 200 && c.status < 300;
            if (measured(c.sentAt)) {
                if (!ok) {
                    errors.increment();
                } else {
                    completed.increment();
                    latency.recordNanos(now - c.sentAt);
                    if (streaming) {
                        ttfc.recordNanos((c.firstByteAt != 0 ? c.firstByteAt : now) - c.sentAt);
                        boolean valid = (cfg.expectChunks() < 0 || c.sse.jsonEvents() == cfg.expectChunks())
                                && c.sse.endedWithDone();
                        if (!valid) {
                            bad.increment();
                        }
                    }
                }
            }
            if (ok && between(now, measureStart, end)) {
                okInWindow.increment();
            }
            if (!c.closeAfter) {
                sendNext(c, now);
            }
        }

        @Override
        public void closed(Conn c, boolean wasInFlight, long now) {
            if (wasInFlight) {
                inFlight.decrementAndGet();
                if (measured(c.sentAt)) {
                    errors.increment();
                }
                if (running(now)) {
                    client.group.next().schedule(this::openOne, 10, TimeUnit.MILLISECONDS);
                }
            } else if (running(now)) {
                openOne();
            }
        }

        @Override
        public void sendFailed(Conn c, long base) {
            inFlight.decrementAndGet();
            if (measured(base)) {
                errors.increment();
            }
        }
    }

    // ------------------------------------------------------------------ hold: many concurrent slow streams

    /** Opens --streams connections paced at --ramp-per-s, one stream each, and counts every event. */
    static final class HoldMode implements Conn.Events {
        private final Config cfg;
        private final AtomicInteger attempted = new AtomicInteger();
        private final AtomicInteger opened = new AtomicInteger();
        private final AtomicInteger completed = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicInteger concurrent = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final AtomicLong chunks = new AtomicLong();
        private final LongAdder connectFailures = new LongAdder();
        private volatile boolean dispatcherDone;
        private Client client;

        HoldMode(Config cfg) {
            this.cfg = cfg;
        }

        Map<String, Object> run() {
            client = new Client(cfg, this, true);
            int s = cfg.streams();
            long t0 = System.nanoTime();
            long deadline = t0 + (long) (cfg.timeoutS() * NS);
            long finishedAt;
            try {
                double interval = NS / cfg.rampPerS();
                Thread dispatcher = new Thread(
                        () -> {
                            try {
                                for (int i = 0; i < s; i++) {
                                    long at = t0 + (long) (i * interval);
                                    if (at - deadline >= 0) {
                                        break;
                                    }
                                    parkUntil(at);
                                    attempted.incrementAndGet();
                                    client.connect().addListener((ChannelFuture f) -> {
                                        if (!f.isSuccess()) {
                                            connectFailures.increment();
                                            failed.incrementAndGet();
                                        }
                                    });
                                }
                            } finally {
                                dispatcherDone = true;
                            }
                        },
                        "load-dispatcher");
                dispatcher.setDaemon(true);
                dispatcher.start();
                await(
                        () -> dispatcherDone && completed.get() + failed.get() >= attempted.get(),
                        deadline,
                        "holding",
                        () -> attempted.get() + " started, " + concurrent.get() + " open, " + completed.get()
                                + " completed, " + failed.get() + " failed, " + chunks.get() + " chunks");
                finishedAt = System.nanoTime();
                dispatcherDone = true;
                client.closeChannels();
                dispatcher.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finishedAt = System.nanoTime();
            } finally {
                client.close();
            }
            if (connectFailures.sum() > 0) {
                System.err.println("LoadDriver: " + connectFailures.sum() + " connection attempts failed");
            }
            // Streams never attempted (timeout during the ramp) count as failed too.
            int notAttempted = Math.max(0, s - attempted.get());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", "hold");
            m.put("streams", s);
            m.put("opened", opened.get());
            m.put("completed", completed.get());
            m.put("failed", failed.get() + notAttempted);
            m.put("chunks_received", chunks.get());
            m.put("chunks_expected", cfg.expectChunks() < 0 ? null : (long) s * cfg.expectChunks());
            m.put("peak_concurrent", peak.get());
            m.put("elapsed_s", (finishedAt - t0) / (double) NS);
            return m;
        }

        @Override
        public void connected(Conn c) {
            opened.incrementAndGet();
            int now = concurrent.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            c.send(System.nanoTime());
        }

        private void account(Conn c, boolean ok) {
            if (c.finished) {
                return;
            }
            c.finished = true;
            concurrent.decrementAndGet();
            chunks.addAndGet(c.sse.jsonEvents());
            if (ok) {
                completed.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
        }

        @Override
        public void responseDone(Conn c, long now) {
            account(c, c.status >= 200 && c.status < 300);
            c.ch.close();
        }

        @Override
        public void closed(Conn c, boolean wasInFlight, long now) {
            account(c, false);
        }

        @Override
        public void sendFailed(Conn c, long base) {
            // closed() follows and accounts for the stream.
        }
    }
}
