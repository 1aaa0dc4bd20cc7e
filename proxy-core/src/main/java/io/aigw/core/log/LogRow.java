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
 * @param totalLatencyMs from the complete request to the last response byte written
 * @param providerLatencyMs the answering attempt, from its start (connection acquired or made) to
 *     the provider's last byte; null when no provider answered
 * @param ttftMs to the first body byte written to the client: a stream's first chunk, else the
 *     whole answer (our own error answers included)
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
