package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One {@link LogRow} as a JSON object, the same wherever a row leaves the store: a line of the
 * stdout store, an item of {@code GET /admin/logs}. The JSON columns are embedded as JSON.
 */
public final class LogRowJson {
    /** Strict: text with anything after its JSON value is not JSON, and goes as a string. */
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private LogRowJson() {}

    /** Writes {@code r} as one object. */
    public static void write(JsonGenerator g, LogRow r) throws IOException {
        g.writeStartObject();
        g.writeStringField("log_id", r.logId().toString());
        g.writeStringField("ts", r.ts().toString());
        g.writeStringField("request_id", r.requestId());
        g.writeStringField("api_key_hash", r.apiKeyHash());
        g.writeStringField("endpoint", r.endpoint());
        g.writeStringField("model", r.model());
        g.writeStringField("provider", r.provider());
        g.writeStringField("model_resolved", r.modelResolved());
        g.writeNumberField("status_code", r.statusCode());
        g.writeBooleanField("stream", r.stream());
        g.writeNumberField("attempts", r.attempts());
        g.writeStringField("error", r.error());
        writeJson(g, "request_headers", r.requestHeaders());
        writeJson(g, "request_body", r.requestBody());
        writeJson(g, "response_body", r.responseBody());
        g.writeBooleanField("request_truncated", r.requestTruncated());
        g.writeBooleanField("response_truncated", r.responseTruncated());
        writeNumber(g, "total_latency_ms", r.totalLatencyMs());
        writeNumber(g, "provider_latency_ms", r.providerLatencyMs());
        writeNumber(g, "ttft_ms", r.ttftMs());
        writeNumber(g, "prompt_tokens", r.promptTokens());
        writeNumber(g, "completion_tokens", r.completionTokens());
        writeNumber(g, "total_tokens", r.totalTokens());
        g.writeStringField("trace_id", r.traceId());
        g.writeStringField("client_ip", r.clientIp());
        g.writeBooleanField("request_body_as_text", r.requestBodyAsText());
        g.writeBooleanField("response_body_as_text", r.responseBodyAsText());
        writeNumber(g, "cached_tokens", r.cachedTokens());
        g.writeFieldName("cost_usd");
        if (r.costUsd() == null) {
            g.writeNull();
        } else {
            g.writeNumber(r.costUsd().doubleValue());
        }
        g.writeStringField("client_api", r.clientApi());
        g.writeEndObject();
    }

    /**
     * Re-parsed rather than copied raw: a pretty-printed body would otherwise break the one line
     * per row, and text that is not JSON after all would break the whole line (it goes as a string).
     */
    private static void writeJson(JsonGenerator g, String name, String json) throws IOException {
        g.writeFieldName(name);
        if (json == null) {
            g.writeNull();
            return;
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            g.writeString(json);
            return;
        }
        if (tree == null || tree.isMissingNode()) {
            g.writeString(json);
        } else {
            MAPPER.writeTree(g, tree);
        }
    }

    private static void writeNumber(JsonGenerator g, String name, Number n) throws IOException {
        g.writeFieldName(name);
        if (n == null) {
            g.writeNull();
        } else {
            g.writeNumber(n.longValue());
        }
    }
}
