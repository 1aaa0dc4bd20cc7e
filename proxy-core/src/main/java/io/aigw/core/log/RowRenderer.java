package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Makes the stored {@link LogRow} of an {@link ExchangeRecord}, on the writer thread: durations to
 * milliseconds, unknowns (-1) to null, headers to a JSON object, bodies to JSON text, everything a
 * client or provider wrote redacted. Stateless and thread-safe.
 *
 * <p>A body that is whole, valid JSON is kept as JSON (its string values redacted); a cut or invalid
 * one becomes a JSON string of its text (decoded leniently, redacted). A 200 stream's body is the SSE
 * the client got, stored as the message it adds up to (see {@link SseAssembler}).
 *
 * <p>Credential headers never reach a row, even if a caller put them in the record's allow-list.
 */
public final class RowRenderer {
    /** Headers that carry credentials; compared lower-case. */
    static final Set<String> NEVER_LOGGED = Set.of(
            "authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie");

    private final Redactor redactor;
    private final JsonRedaction json;
    private final SseAssembler sse;

    public RowRenderer(Redactor redactor) {
        this.redactor = Objects.requireNonNull(redactor, "redactor");
        this.json = new JsonRedaction(redactor);
        this.sse = new SseAssembler(json);
    }

    /** The row with a new random log id. */
    public LogRow render(ExchangeRecord r) {
        return render(r, TimeOrderedIds.next(r.tsEpochMillis));
    }

    public LogRow render(ExchangeRecord r, UUID logId) {
        return new LogRow(
                logId,
                Instant.ofEpochMilli(r.tsEpochMillis),
                r.requestId,
                r.apiKeyHash,
                r.endpoint,
                r.model,
                r.provider,
                r.modelResolved,
                r.statusCode,
                r.stream,
                r.attempts,
                redactor.redact(r.error),
                headers(r.requestHeaders),
                body(r.requestBody, r.requestTruncated),
                responseBody(r),
                r.requestTruncated,
                r.responseTruncated,
                millis(r.totalNanos),
                millis(r.providerNanos),
                millis(r.ttftNanos),
                tokens(r.promptTokens),
                tokens(r.completionTokens),
                tokens(r.totalTokens),
                r.traceId,
                r.clientIp);
    }

    private String responseBody(ExchangeRecord r) {
        if (r.stream && r.statusCode == 200 && r.responseBody != null) {
            return sse.assemble(r.responseBody, r.responseTruncated);
        }
        return body(r.responseBody, r.responseTruncated); // an error answer to a stream request is plain JSON
    }

    /** JSON text of a body: the redacted JSON when whole and valid, else a redacted JSON string of its text. */
    String body(byte[] bytes, boolean truncated) {
        if (bytes == null) {
            return null;
        }
        if (!truncated) {
            String redacted = json.tryRedact(bytes);
            if (redacted != null) {
                return redacted;
            }
        }
        // A cut body is never parsed: "{...}" cut at a boundary may be valid JSON but says less than it seems.
        return LogJson.quote(redactor.redact(new String(bytes, StandardCharsets.UTF_8)));
    }

    /** Name, value pairs to a JSON object; a repeated name's values joined with ", " as HTTP allows. */
    String headers(List<String> pairs) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            String name = pairs.get(i);
            if (name == null) {
                continue;
            }
            name = name.strip().toLowerCase(Locale.ROOT);
            if (NEVER_LOGGED.contains(name)) {
                continue;
            }
            String value = redactor.redact(Objects.requireNonNullElse(pairs.get(i + 1), ""));
            byName.merge(name, value, (a, b) -> a + ", " + b);
        }
        StringWriter out = new StringWriter(64 + 48 * byName.size());
        try (JsonGenerator g = LogJson.generator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : byName.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** Whole milliseconds, or null for an unknown (negative) duration. */
    private static Long millis(long nanos) {
        return nanos < 0 ? null : TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static Integer tokens(long count) {
        return count < 0 ? null : (int) Math.min(count, Integer.MAX_VALUE);
    }
}
