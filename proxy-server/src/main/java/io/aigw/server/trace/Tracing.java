package io.aigw.server.trace;

import io.aigw.core.config.TracingConfig;
import io.aigw.server.exchange.ExchangeListener;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracing pipeline. The event loop's whole share is the {@link TracingListener}'s sampling
 * decision at start and, for a sampled exchange, one snapshot put on a lock-free bounded queue at its
 * end ({@link #offer}); a full queue drops the exchange's spans and counts them. One exporter thread
 * drains the queue every {@code scheduleDelay} (at once while batches come full), encodes each batch
 * of up to {@link #BATCH} exchanges straight to OTLP protobuf ({@link OtlpTraceEncoder}) and posts it
 * over OTLP/HTTP with the JDK's HTTP client. A batch the collector does not take is counted and
 * dropped, not retried: a dead or slow collector costs {@link #droppedSpans()}, nothing else.
 *
 * <p>Why not the OpenTelemetry SDK's span pipeline, which this replaced: measured on the bench
 * (one event loop, 100% sampling) it cost 1.59 times the CPU per request and 29% of the throughput,
 * most of it span objects, attribute maps and locks on the event loop and SpanData conversion and
 * marshaling after; the spans here are the same ones, in the same protobuf, from the exchange's facts.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    /** Exchanges waiting for export: at 20,000 sampled requests/s, most of a second of them. */
    static final int MAX_QUEUE = 16_384;
    /** Exchanges per OTLP request (a SERVER span and its attempts' CLIENT spans each). */
    static final int BATCH = 512;

    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_ANSWER = 64 * 1024;

    /** Where an encoded batch goes; answers the collector's HTTP status (2xx: taken). */
    interface Sender {
        int send(byte[] body, int length) throws IOException, InterruptedException;
    }

    private final Queue<TracedExchange> queue = PlatformDependent.newFixedMpscQueue(MAX_QUEUE);
    private final Sender sender;
    private final OtlpTraceEncoder encoder;
    private final long delayNanos;
    private final TracingListener listener;
    private final Thread exporter;
    private final LongAdder queueDropped = new LongAdder();
    private final LongAdder exported = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong flushesAsked = new AtomicLong();
    private volatile long flushesDone;
    private volatile boolean stopping;
    private long lastWarnNanos;
    private long unwarned;

    Tracing(TracingConfig config, Sender sender, Duration scheduleDelay, int slot) {
        this.sender = sender;
        this.delayNanos = scheduleDelay.toNanos();
        Instant now = Instant.now();
        long epochOffset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        this.encoder = new OtlpTraceEncoder(config.serviceName(), epochOffset);
        this.listener = new TracingListener(config.sampleRatio(), this, slot);
        this.exporter = new Thread(this::run, "aigw-trace-export");
        exporter.setDaemon(true);
        exporter.start();
    }

    /**
     * The pipeline of {@code config}, or null when tracing is off.
     *
     * @param slot the listener's state slot on exchanges and attempts
     */
    public static Tracing start(TracingConfig config, int slot) {
        if (!config.enabled()) {
            return null;
        }
        Tracing tracing =
                new Tracing(config, http(config.otlpEndpoint(), config.headers()), Duration.ofMillis(200), slot);
        // Header values are credentials: only their names are logged.
        log.info(
                "tracing on: OTLP/HTTP to {} (sample ratio {}, service {}, headers {})",
                config.otlpEndpoint(),
                config.sampleRatio(),
                config.serviceName(),
                config.headers().keySet());
        return tracing;
    }

    /**
     * Starts the pipeline of {@code config} and appends its listener to {@code listeners} (its slot is
     * its place in the list); null, and nothing added, when tracing is off.
     */
    public static Tracing addTo(List<ExchangeListener> listeners, TracingConfig config) {
        Tracing tracing = start(config, listeners.size());
        if (tracing != null) {
            listeners.add(tracing.listener());
        }
        return tracing;
    }

    public TracingListener listener() {
        return listener;
    }

    /** Queues a completed exchange's spans; never blocks (called on the event loop). */
    void offer(TracedExchange exchange) {
        if (stopping || !queue.offer(exchange)) {
            queueDropped.add(exchange.spanCount());
        }
    }

    /** Spans lost: dropped by a full queue or in a batch the collector did not take. For metrics and admin. */
    public long droppedSpans() {
        return failed.sum() + queueDropped.sum();
    }

    /** Spans the collector took. */
    public long exportedSpans() {
        return exported.sum();
    }

    /** Exports what is queued now (bounded by 5 s); for tests. */
    void flush() {
        long asked = flushesAsked.incrementAndGet();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (flushesDone < asked && exporter.isAlive() && System.nanoTime() < deadline) {
            LockSupport.unpark(exporter);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** Exports what is queued (bounded by 5 s), then stops; called by the stop, never on an event loop. */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(exporter);
        try {
            exporter.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (exporter.isAlive()) {
            log.warn("tracing: spans still queued at stop could not be exported within 5 s");
        }
    }

    private void run() {
        List<TracedExchange> batch = new ArrayList<>(BATCH);
        while (true) {
            boolean stop = stopping;
            long asked = flushesAsked.get();
            TracedExchange next;
            while (batch.size() < BATCH && (next = queue.poll()) != null) {
                batch.add(next);
            }
            boolean full = batch.size() == BATCH;
            if (!batch.isEmpty()) {
                export(batch);
                batch.clear();
            }
            if (full) {
                continue;
            }
            flushesDone = asked; // everything queued before the flush was asked for is out
            if (stop) {
                return;
            }
            if (flushesAsked.get() == asked) {
                LockSupport.parkNanos(this, delayNanos);
            }
        }
    }

    private void export(List<TracedExchange> batch) {
        int spans = 0;
        for (TracedExchange ex : batch) {
            spans += ex.spanCount();
        }
        String problem;
        try {
            encoder.encode(batch);
            int status = sender.send(encoder.array(), encoder.size());
            if (status / 100 == 2) {
                exported.add(spans);
                return;
            }
            problem = "the collector answered " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        } catch (IOException | RuntimeException e) {
            problem = e.toString();
        }
        failed.add(spans);
        warn(problem, spans);
    }

    /** At most one line a minute, with the spans lost since the last one. */
    private void warn(String problem, int spans) {
        unwarned += spans;
        long now = System.nanoTime();
        if (lastWarnNanos != 0 && now - lastWarnNanos < WARN_EVERY_NANOS) {
            return;
        }
        log.warn("tracing: export failed ({}); {} spans dropped since the last warning", problem, unwarned);
        lastWarnNanos = now;
        unwarned = 0;
    }

    /**
     * OTLP/HTTP protobuf to {@code endpoint}: 2 s to connect, 5 s for the answer, one kept-alive
     * connection. {@link HttpURLConnection} rather than the JDK's asynchronous client: the exporter
     * thread waits for each answer anyway, and the blocking client writes the batch straight to the
     * socket (the asynchronous one cost twice the CPU per batch on the bench).
     */
    static Sender http(URI endpoint, Map<String, String> headers) {
        URL url;
        try {
            url = endpoint.toURL(); // the config reader let only absolute http(s) URLs through
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("tracing.otlp_endpoint is not a URL: " + e.getMessage(), e);
        }
        return (body, length) -> {
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setConnectTimeout(2_000);
            c.setReadTimeout(5_000);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(length);
            c.setRequestProperty("Content-Type", "application/x-protobuf");
            for (Map.Entry<String, String> h : headers.entrySet()) {
                c.setRequestProperty(h.getKey(), h.getValue());
            }
            try {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body, 0, length);
                }
                int status = c.getResponseCode();
                InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
                if (in != null) {
                    try (in) {
                        // Read to the end so the connection is kept for the next batch (a huge answer is not).
                        if (in.readNBytes(MAX_ANSWER).length == MAX_ANSWER) {
                            c.disconnect();
                        }
                    }
                }
                return status;
            } catch (IOException e) {
                c.disconnect();
                throw e;
            }
        };
    }
}
