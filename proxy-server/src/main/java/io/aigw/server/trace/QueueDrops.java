package io.aigw.server.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * The spans the batch processor dropped because its queue was full. The processor counts them only
 * in its own telemetry ({@code processedSpans{dropped=true}}), so it is given a private meter
 * provider whose one reader is read on demand (a scrape, the admin API), never per request.
 */
final class QueueDrops implements MetricReader {
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");

    private volatile CollectionRegistration registration = CollectionRegistration.noop();
    private final SdkMeterProvider meters =
            SdkMeterProvider.builder().registerMetricReader(this).build();

    MeterProvider meterProvider() {
        return meters;
    }

    long count() {
        long dropped = 0;
        for (MetricData m : registration.collectAllMetrics()) {
            if (m.getName().equals("processedSpans")) {
                for (LongPointData p : m.getLongSumData().getPoints()) {
                    if (Boolean.TRUE.equals(p.getAttributes().get(DROPPED))) {
                        dropped += p.getValue();
                    }
                }
            }
        }
        return dropped;
    }

    void close0() {
        meters.close();
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
