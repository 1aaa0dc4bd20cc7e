package io.aigw.core.config;

import java.net.URI;
import java.util.Map;

/**
 * The {@code tracing:} block: OpenTelemetry spans exported over OTLP/HTTP. Off unless an endpoint is
 * set.
 *
 * @param otlpEndpoint the collector's traces URL ({@code http://host:4318/v1/traces}), or null: off
 * @param sampleRatio the share of traces that start here which are recorded (0..1); a client's
 *     {@code traceparent} decides for its own trace
 * @param serviceName the {@code service.name} resource attribute
 * @param headers sent with every export (an authorization header is a secret: never logged)
 * @param captureContent whether message content may go into spans (never by default)
 */
public record TracingConfig(
        URI otlpEndpoint, double sampleRatio, String serviceName, Map<String, String> headers, boolean captureContent) {

    public static final TracingConfig OFF = new TracingConfig(null, 1.0, "aigw", Map.of(), false);

    public boolean enabled() {
        return otlpEndpoint != null;
    }

    @Override
    public String toString() {
        // Header values may be credentials: only their names are shown.
        return "TracingConfig[otlpEndpoint=" + otlpEndpoint + ", sampleRatio=" + sampleRatio + ", serviceName="
                + serviceName + ", headers=" + headers.keySet() + ", captureContent=" + captureContent + "]";
    }
}
