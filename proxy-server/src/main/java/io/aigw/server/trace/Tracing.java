package io.aigw.server.trace;

import io.aigw.core.config.TracingConfig;
import io.aigw.server.exchange.ExchangeListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracing pipeline: an SDK tracer provider whose spans go, through a bounded batch processor, to
 * an OTLP/HTTP exporter on the processor's own thread (the JDK's HTTP client; no OkHttp). The event
 * loop only ever hands an ended span to the processor's queue, which never blocks: when it is full
 * the span is dropped. A dead or slow collector therefore costs {@link #droppedSpans()}, nothing else.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    static final int MAX_QUEUE = 4096;
    static final int BATCH = 512;

    private final SdkTracerProvider provider;
    private final TracingListener listener;
    private final CountingExporter exporter;
    private final BatchSpanProcessor processor;
    private final QueueDrops queueDrops = new QueueDrops();

    Tracing(TracingConfig config, SpanExporter exporter, Duration scheduleDelay, int slot) {
        this.exporter = new CountingExporter(exporter);
        this.processor = BatchSpanProcessor.builder(this.exporter)
                .setMaxQueueSize(MAX_QUEUE)
                .setMaxExportBatchSize(BATCH)
                .setScheduleDelay(scheduleDelay)
                .setMeterProvider(queueDrops.meterProvider())
                .build();
        PinnedIds ids = new PinnedIds();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault()
                        .merge(Resource.create(
                                Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
                .setIdGenerator(ids)
                .addSpanProcessor(processor)
                .build();
        this.listener = new TracingListener(provider.get("io.aigw"), ids, slot);
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
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.otlpEndpoint().toString())
                .setTimeout(Duration.ofSeconds(5))
                .setConnectTimeout(Duration.ofSeconds(2))
                // A failed batch is counted and dropped, not retried: a dead collector must not pile up work.
                .setRetryPolicy(null);
        for (Map.Entry<String, String> h : config.headers().entrySet()) {
            b.addHeader(h.getKey(), h.getValue());
        }
        Tracing tracing = new Tracing(config, b.build(), Duration.ofSeconds(1), slot);
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

    /** Spans lost: dropped by a full queue or in a batch the collector did not take. For metrics and admin. */
    public long droppedSpans() {
        return exporter.failed.sum() + queueDropped();
    }

    /** Spans the collector took. */
    public long exportedSpans() {
        return exporter.exported.sum();
    }

    /** Spans a full queue dropped (read from the processor's own telemetry: not for a hot path). */
    private long queueDropped() {
        return queueDrops.count();
    }

    /** Exports what is queued now (bounded); for tests. */
    void flush() {
        provider.forceFlush().join(5, TimeUnit.SECONDS);
    }

    /** Exports what is queued (bounded), then stops; called by the stop, never on an event loop. */
    @Override
    public void close() {
        CompletableResultCode done = provider.shutdown().join(5, TimeUnit.SECONDS);
        if (!done.isSuccess()) {
            log.warn("tracing: spans still queued at stop could not be exported within 5 s");
        }
        queueDrops.close0();
    }

    /** Counts the spans of each batch by its fate; the batch itself goes on unchanged. */
    static final class CountingExporter implements SpanExporter {
        private final SpanExporter delegate;
        final LongAdder exported = new LongAdder();
        final LongAdder failed = new LongAdder();

        CountingExporter(SpanExporter delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int n = spans.size();
            CompletableResultCode result;
            try {
                result = delegate.export(spans);
            } catch (RuntimeException e) {
                failed.add(n);
                return CompletableResultCode.ofFailure();
            }
            result.whenComplete(() -> (result.isSuccess() ? exported : failed).add(n));
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }
}
