package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.UUID;

/** Rows for store tests, and a comparison that treats the JSON columns as JSON values. */
final class LogRows {
    static final ObjectMapper JSON = new ObjectMapper();

    private LogRows() {}

    /** Every field set, with non-ASCII text in the text and JSON columns. */
    static LogRow full(Instant ts) {
        return new LogRow(
                UUID.randomUUID(),
                ts,
                "req_ünï-😀",
                "a".repeat(64),
                "/v1/chat/completions",
                "gpt-4o-mini",
                "openai",
                "gpt-4o-mini-2024-07-18",
                200,
                true,
                2,
                "rate_limit: 上游 \"busy\" — retried",
                "{\"user-agent\":\"curl/8 ✓\",\"x-request-id\":\"req_1\"}",
                "{\"model\":\"gpt-4o-mini\",\"temperature\":0.7,\"big\":12345678901234567890,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"héllo 👋 世界 \\\"q\\\" \\\\ \\n next\"}],"
                        + "\"stream\":true,\"stop\":null}",
                "{\"content\":\"Bonjour 🌍\",\"tool_calls\":[{\"id\":\"call_1\",\"arguments\":\"{\\\"x\\\":1}\"}],"
                        + "\"finish_reason\":\"stop\"}",
                true,
                false,
                1234L,
                1100L,
                87L,
                12,
                34,
                46,
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "2001:db8::1",
                false,
                false,
                5,
                // every bit of the double matters: the stores must keep it exactly
                1.2345678901234567e-4,
                "anthropic");
    }

    /** Every nullable field null, and a truncated request body kept as a JSON string. */
    static LogRow minimal(Instant ts) {
        return new LogRow(
                UUID.randomUUID(),
                ts,
                null,
                null,
                null,
                null,
                null,
                null,
                401,
                false,
                0,
                null,
                "{}",
                "\"{\\\"model\\\":\\\"gpt-4o-mi\"",
                null,
                true,
                true,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** A row that differs from others in what {@link LogQuery} filters on. */
    static LogRow row(Instant ts, String model, int status, String keyHash) {
        return new LogRow(
                UUID.randomUUID(),
                ts,
                "req",
                keyHash,
                "/v1/chat/completions",
                model,
                "p",
                model,
                status,
                false,
                1,
                null,
                "{}",
                null,
                null,
                false,
                false,
                5L,
                4L,
                3L,
                1,
                2,
                3,
                null,
                null);
    }

    static LogRow withModel(LogRow r, String model) {
        return new LogRow(
                r.logId(),
                r.ts(),
                r.requestId(),
                r.apiKeyHash(),
                r.endpoint(),
                model,
                r.provider(),
                r.modelResolved(),
                r.statusCode(),
                r.stream(),
                r.attempts(),
                r.error(),
                r.requestHeaders(),
                r.requestBody(),
                r.responseBody(),
                r.requestTruncated(),
                r.responseTruncated(),
                r.totalLatencyMs(),
                r.providerLatencyMs(),
                r.ttftMs(),
                r.promptTokens(),
                r.completionTokens(),
                r.totalTokens(),
                r.traceId(),
                r.clientIp());
    }

    /** Equal field by field; the JSON columns equal as JSON (jsonb reorders keys and spacing). */
    static void assertSameRow(LogRow expected, LogRow actual) {
        assertEquals(withoutJson(expected), withoutJson(actual));
        assertEquals(tree(expected.requestHeaders()), tree(actual.requestHeaders()), "request_headers");
        assertEquals(tree(expected.requestBody()), tree(actual.requestBody()), "request_body");
        assertEquals(tree(expected.responseBody()), tree(actual.responseBody()), "response_body");
    }

    static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static LogRow withoutJson(LogRow r) {
        return new LogRow(
                r.logId(),
                r.ts(),
                r.requestId(),
                r.apiKeyHash(),
                r.endpoint(),
                r.model(),
                r.provider(),
                r.modelResolved(),
                r.statusCode(),
                r.stream(),
                r.attempts(),
                r.error(),
                "-",
                null,
                null,
                r.requestTruncated(),
                r.responseTruncated(),
                r.totalLatencyMs(),
                r.providerLatencyMs(),
                r.ttftMs(),
                r.promptTokens(),
                r.completionTokens(),
                r.totalTokens(),
                r.traceId(),
                r.clientIp(),
                r.requestBodyAsText(),
                r.responseBodyAsText(),
                r.cachedTokens(),
                r.costUsd(),
                r.clientApi());
    }

    /** {@code r} with another client API (null: unknown). */
    static LogRow withClientApi(LogRow r, String clientApi) {
        return new LogRow(
                r.logId(),
                r.ts(),
                r.requestId(),
                r.apiKeyHash(),
                r.endpoint(),
                r.model(),
                r.provider(),
                r.modelResolved(),
                r.statusCode(),
                r.stream(),
                r.attempts(),
                r.error(),
                r.requestHeaders(),
                r.requestBody(),
                r.responseBody(),
                r.requestTruncated(),
                r.responseTruncated(),
                r.totalLatencyMs(),
                r.providerLatencyMs(),
                r.ttftMs(),
                r.promptTokens(),
                r.completionTokens(),
                r.totalTokens(),
                r.traceId(),
                r.clientIp(),
                r.requestBodyAsText(),
                r.responseBodyAsText(),
                r.cachedTokens(),
                r.costUsd(),
                clientApi);
    }

    /** {@code r} answered on another endpoint (path). */
    static LogRow withEndpoint(LogRow r, String endpoint) {
        return new LogRow(
                r.logId(),
                r.ts(),
                r.requestId(),
                r.apiKeyHash(),
                endpoint,
                r.model(),
                r.provider(),
                r.modelResolved(),
                r.statusCode(),
                r.stream(),
                r.attempts(),
                r.error(),
                r.requestHeaders(),
                r.requestBody(),
                r.responseBody(),
                r.requestTruncated(),
                r.responseTruncated(),
                r.totalLatencyMs(),
                r.providerLatencyMs(),
                r.ttftMs(),
                r.promptTokens(),
                r.completionTokens(),
                r.totalTokens(),
                r.traceId(),
                r.clientIp(),
                r.requestBodyAsText(),
                r.responseBodyAsText(),
                r.cachedTokens(),
                r.costUsd(),
                r.clientApi());
    }

    /** {@code r} with other cached tokens and cost (null: unknown). */
    static LogRow withCost(LogRow r, Integer cachedTokens, Double costUsd) {
        return new LogRow(
                r.logId(),
                r.ts(),
                r.requestId(),
                r.apiKeyHash(),
                r.endpoint(),
                r.model(),
                r.provider(),
                r.modelResolved(),
                r.statusCode(),
                r.stream(),
                r.attempts(),
                r.error(),
                r.requestHeaders(),
                r.requestBody(),
                r.responseBody(),
                r.requestTruncated(),
                r.responseTruncated(),
                r.totalLatencyMs(),
                r.providerLatencyMs(),
                r.ttftMs(),
                r.promptTokens(),
                r.completionTokens(),
                r.totalTokens(),
                r.traceId(),
                r.clientIp(),
                r.requestBodyAsText(),
                r.responseBodyAsText(),
                cachedTokens,
                costUsd,
                r.clientApi());
    }

    /**
     * Bodies PostgreSQL's jsonb refuses as JSON, kept as the renderer keeps them: JSON strings of
     * their whole text, flagged.
     */
    static LogRow bodiesAsText(Instant ts) {
        LogRow r = full(ts);
        return new LogRow(
                r.logId(),
                r.ts(),
                r.requestId(),
                r.apiKeyHash(),
                r.endpoint(),
                r.model(),
                r.provider(),
                r.modelResolved(),
                r.statusCode(),
                r.stream(),
                r.attempts(),
                r.error(),
                r.requestHeaders(),
                LogJson.quote("{\"temperature\":1e999999,\"content\":\"a\\u0000b \\ud800\"}"),
                LogJson.quote("{\"x\":1e-20000}"),
                false,
                false,
                r.totalLatencyMs(),
                r.providerLatencyMs(),
                r.ttftMs(),
                r.promptTokens(),
                r.completionTokens(),
                r.totalTokens(),
                r.traceId(),
                r.clientIp(),
                true,
                true);
    }
}
