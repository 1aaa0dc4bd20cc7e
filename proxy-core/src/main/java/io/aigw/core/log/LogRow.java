package io.aigw.core.log;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One row of {@code request_logs}, as stored: already redacted, bodies already rendered. Built on
 * the writer thread from an {@link ExchangeRecord}; this is also what the spill file holds (one
 * JSON line each), so nothing unredacted ever reaches disk.
 *
 * @param requestHeaders JSON object text (allow-listed headers), never null
 * @param requestBody JSON text (the body, or a JSON string when it was not valid JSON or was
 *     truncated), or null when bodies are not captured
 * @param responseBody JSON text, or null; for a stream, the assembled message
 *     {@code {"content":..., "tool_calls":[...], "finish_reason":...}}
 * @param totalLatencyMs from the first request byte to the last response byte written
 * @param providerLatencyMs from the first upstream attempt to the provider's last byte, or null
 * @param ttftMs time to first token: for a stream, to the first content chunk sent to the client;
 *     otherwise to the provider's response head; null when no provider answered
 */
public record LogRow(
        UUID logId,
        Instant ts,
        String requestId,
        String apiKeyHash,
        String endpoint,
        String model,
        String provider,
        String modelResolved,
        int statusCode,
        boolean stream,
        int attempts,
        String error,
        String requestHeaders,
        String requestBody,
        String responseBody,
        boolean requestTruncated,
        boolean responseTruncated,
        Long totalLatencyMs,
        Long providerLatencyMs,
        Long ttftMs,
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        String traceId,
        String clientIp) {

    public LogRow {
        Objects.requireNonNull(logId, "logId");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(requestHeaders, "requestHeaders");
    }
}
