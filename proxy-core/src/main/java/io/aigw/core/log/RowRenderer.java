package io.aigw.core.log;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
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
 * one becomes a JSON string of its text (decoded leniently, redacted). Valid JSON that PostgreSQL's
 * jsonb would refuse ({@link JsonbLimits}) becomes a JSON string of its whole redacted text too, and
 * is flagged, so a client cannot choose to have its row refused. A 200 stream's body is the SSE
 * the client got, stored as the message it adds up to (see {@link SseAssembler}).
 *
 * <p>Credential headers never reach a row, even if a caller put them in the record's allow-list.
 */
public final class RowRenderer {
    /** Headers that carry credentials; compared lower-case. */
    static final Set<String> NEVER_LOGGED =
            Set.of("authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie");

    private final Redactor redactor;
    private final JsonRedaction json;
    private final SseAssembler sse;

    public RowRenderer(Redactor redactor) {
        this.redactor = Objects.requireNonNull(redactor, "redactor");
        this.json = new JsonRedaction(redactor);
        this.sse = new SseAssembler(json);
    }

    /**
     * The row, rendered and redacted by the renderer of the settings the record was captured under
     * ({@link ExchangeRecord#capture}, those of the config its exchange started with), else by this
     * one: a reload's new redaction rules apply to the exchanges that start after it.
     */
    public LogRow renderCaptured(ExchangeRecord r) {
        CaptureSettings settings = r.capture;
        return (settings != null ? settings.renderer() : this).render(r);
    }

    /** The row with a new random log id. */
    public LogRow render(ExchangeRecord r) {
        return render(r, TimeOrderedIds.next(r.tsEpochMillis));
    }

    public LogRow render(ExchangeRecord r, UUID logId) {
        long[] found = {-1, -1, -1, -1, -1}; // a whole answer's own usage, see JsonRedaction.tryRedact
        boolean[] asText = {false, false}; // request, response: stored as a JSON string (jsonb refuses it)
        String requestBody = body(r.requestBody, r.requestTruncated, null, asText, 0);
        String responseBody = responseBody(r, found, asText);
        long[] usage = usage(r, found);
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
                requestBody,
                responseBody,
                r.requestTruncated,
                r.responseTruncated,
                millis(r.totalNanos),
                millis(r.providerNanos),
                millis(r.ttftNanos),
                tokens(usage[0]),
                tokens(usage[1]),
                tokens(usage[2]),
                r.traceId,
                r.clientIp,
                asText[0],
                asText[1],
                tokens(r.cachedTokens),
                usd(r.costUsd),
                r.clientApi);
    }

    /**
     * Prompt, completion and total tokens: the answer's own figures where its body held them, else
     * the record's. Anthropic's {@code input_tokens} leaves out the cache reads and writes, which
     * are added, so that the prompt counts every input token whatever the client API (OpenAI's
     * meaning, the one the exchange's usage has); Anthropic gives no total, which is then the sum.
     */
    private static long[] usage(ExchangeRecord r, long[] found) {
        long prompt = r.promptTokens;
        long completion = r.completionTokens;
        long total = r.totalTokens;
        if (found[0] >= 0) {
            prompt = found[0] + Math.max(0, found[3]) + Math.max(0, found[4]);
        }
        if (found[1] >= 0) {
            completion = found[1];
        }
        if (found[2] >= 0) {
            total = found[2];
        } else if (found[0] >= 0 && found[1] >= 0) {
            total = prompt + completion;
        }
        return new long[] {prompt, completion, total};
    }

    /** {@code usage} receives the figures of the answer's top-level usage object (see {@link JsonRedaction}). */
    private String responseBody(ExchangeRecord r, long[] usage, boolean[] asText) {
        if (r.stream && r.statusCode == 200 && r.responseBody != null) {
            return sse.assemble(r.responseBody, r.responseTruncated, r.clientApi);
        }
        // an error answer to a stream request is plain JSON
        return body(r.responseBody, r.responseTruncated, usage, asText, 1);
    }

    /** JSON text of a body: the redacted JSON when whole and valid, else a redacted JSON string of its text. */
    String body(byte[] bytes, boolean truncated) {
        return body(bytes, truncated, null, new boolean[1], 0);
    }

    /**
     * As {@link #body(byte[], boolean)}; valid JSON that PostgreSQL's jsonb would refuse (a client's
     * {@code 1e999999}, a NUL escape) becomes a JSON string of its whole redacted text, noted in
     * {@code asText[slot]}: every store gets the same row, and no client can make one refused.
     */
    private String body(byte[] bytes, boolean truncated, long[] usage, boolean[] asText, int slot) {
        if (bytes == null) {
            return null;
        }
        if (!truncated) {
            boolean[] refused = {false};
            String redacted = json.tryRedact(bytes, usage, refused);
            if (redacted != null && refused[0]) {
                asText[slot] = true;
                return LogJson.quote(redacted);
            }
            if (redacted != null) {
                return redacted;
            }
        }
        // A cut body is never parsed: "{...}" cut at a boundary may be valid JSON but says less than it seems.
        return LogJson.quote(redactor.redact(new String(bytes, StandardCharsets.UTF_8)));
    }

    /** Name, value pairs to a JSON object; a repeated name's values joined with ", " as HTTP allows. */
    String headers(List<String> pairs) {
        // A handful of pairs: arrays and a linear search beat a map, and the object is written
        // straight into one builder (no generator, no synchronized StringWriter) for every row.
        int n = pairs.size() / 2;
        String[] names = new String[n];
        String[] values = new String[n];
        int kept = 0;
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
            int at = indexOf(names, kept, name);
            if (at >= 0) {
                values[at] = values[at] + ", " + value;
            } else {
                names[kept] = name;
                values[kept++] = value;
            }
        }
        StringBuilder out = new StringBuilder(16 + 48 * kept).append('{');
        JsonStringEncoder quote = JsonStringEncoder.getInstance();
        for (int i = 0; i < kept; i++) {
            out.append(i == 0 ? "\"" : ",\"");
            quote.quoteAsString(names[i], out);
            out.append("\":\"");
            quote.quoteAsString(values[i], out);
            out.append('"');
        }
        return out.append('}').toString();
    }

    private static int indexOf(String[] names, int count, String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Whole milliseconds, or null for an unknown (negative) duration. */
    private static Long millis(long nanos) {
        return nanos < 0 ? null : TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** The cost as stored: null when unknown (NaN); the figure itself as the exchange computed it. */
    static Double usd(double cost) {
        return Double.isFinite(cost) ? cost : null;
    }

    private static Integer tokens(long count) {
        return count < 0 ? null : (int) Math.min(count, Integer.MAX_VALUE);
    }
}
