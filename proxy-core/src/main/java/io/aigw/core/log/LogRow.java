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
 * @param requestBodyAsText the request body was valid JSON that PostgreSQL's jsonb refuses (see
 *     {@link JsonbLimits}): {@code requestBody} is a JSON string of its whole (redacted) text
 * @param responseBodyAsText the same for {@code responseBody}
 * @param cachedTokens the prompt tokens the provider served from its cache (part of {@code
 *     promptTokens}, billed at the cached-input price); null when not reported
 * @param costUsd what the exchange cost in USD by its usage and the answering deployment's price;
 *     null when no price or no usage is known
 * @param clientApi the API the client spoke: {@code openai} (chat, completions, embeddings),
 *     {@code anthropic} ({@code /v1/messages}) or {@code responses}; null when unknown (rows from
 *     before the column existed)
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
        String clientIp,
        boolean requestBodyAsText,
        boolean responseBodyAsText,
        Integer cachedTokens,
        Double costUsd,
        String clientApi) {

    public LogRow {
        Objects.requireNonNull(logId, "logId");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(requestHeaders, "requestHeaders");
    }

    /** A row whose bodies, if any, are stored as they are (neither was refused by jsonb). */
    public LogRow(
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
        this(
                logId,
                ts,
                requestId,
                apiKeyHash,
                endpoint,
                model,
                provider,
                modelResolved,
                statusCode,
                stream,
                attempts,
                error,
                requestHeaders,
                requestBody,
                responseBody,
                requestTruncated,
                responseTruncated,
                totalLatencyMs,
                providerLatencyMs,
                ttftMs,
                promptTokens,
                completionTokens,
                totalTokens,
                traceId,
                clientIp,
                false,
                false,
                null,
                null,
                null);
    }

    /** A row without cached tokens or cost (neither known). */
    public LogRow(
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
            String clientIp,
            boolean requestBodyAsText,
            boolean responseBodyAsText) {
        this(
                logId,
                ts,
                requestId,
                apiKeyHash,
                endpoint,
                model,
                provider,
                modelResolved,
                statusCode,
                stream,
                attempts,
                error,
                requestHeaders,
                requestBody,
                responseBody,
                requestTruncated,
                responseTruncated,
                totalLatencyMs,
                providerLatencyMs,
                ttftMs,
                promptTokens,
                completionTokens,
                totalTokens,
                traceId,
                clientIp,
                requestBodyAsText,
                responseBodyAsText,
                null,
                null,
                null);
    }

    /**
     * This row with every JSON column (headers and bodies) stored as a JSON string of its text: the
     * last resort for a row the database refused for a reason nothing foresaw, so it is kept.
     */
    public LogRow withJsonAsText() {
        return new LogRow(
                logId,
                ts,
                requestId,
                apiKeyHash,
                endpoint,
                model,
                provider,
                modelResolved,
                statusCode,
                stream,
                attempts,
                error,
                LogJson.quote(requestHeaders),
                requestBody == null ? null : LogJson.quote(requestBody),
                responseBody == null ? null : LogJson.quote(responseBody),
                requestTruncated,
                responseTruncated,
                totalLatencyMs,
                providerLatencyMs,
                ttftMs,
                promptTokens,
                completionTokens,
                totalTokens,
                traceId,
                clientIp,
                requestBody != null,
                responseBody != null,
                cachedTokens,
                costUsd,
                clientApi);
    }
}
