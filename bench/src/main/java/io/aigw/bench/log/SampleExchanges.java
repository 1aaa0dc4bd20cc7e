package io.aigw.bench.log;

import io.aigw.core.log.ExchangeRecord;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Realistic request-log records, as {@code RecordCapture} fills them on the event loop: a chat
 * request of about 1 KB (system and user message), and either a chat completion of about 1 KB or
 * the SSE stream a client was sent (30 content chunks, the finish chunk and {@code [DONE]}, about
 * 7 KB), allow-listed headers, timings and usage. The byte arrays are built once and shared by every
 * record; the renderer only reads them, and it parses and redacts them afresh for every row, as it
 * does in the proxy.
 */
public final class SampleExchanges {
    public static final int PROMPT_TOKENS = 242;
    public static final int COMPLETION_TOKENS = 187;
    public static final int STREAM_CHUNKS = 30;

    private static final String KEY_HASH = "5f0c0d1e9a3b4c7d8e2f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d";
    private static final String USER_TEXT = "I am preparing a short internal note for our operations team about the "
            + "migration of the billing service to the new cluster. Please summarise the following points in three "
            + "concise bullet points, keeping the tone neutral and avoiding jargon where possible. First, the "
            + "database was moved on Tuesday night and the cut-over took forty minutes instead of the planned "
            + "twenty, because the replication lag was larger than expected. Second, two scheduled jobs failed on "
            + "Wednesday morning since their configuration still pointed to the old hosts; they were rerun by hand "
            + "and no invoices were lost. Third, monitoring dashboards now show latency per region, and the team "
            + "wants feedback on whether the new alert thresholds are too noisy before the end of the month.";
    private static final String ANSWER_TEXT = "- The billing database moved to the new cluster on Tuesday night; "
            + "the cut-over took about forty minutes, twice the plan, because replication lag was higher than "
            + "expected.\n- Two scheduled jobs failed on Wednesday morning because they still pointed at the old "
            + "hosts; both were rerun manually and no invoices were lost.\n- Dashboards now show latency per "
            + "region. Please send feedback on the new alert thresholds, in particular whether they are too "
            + "noisy, before the end of the month so the team can tune them.";

    private final byte[] request;
    private final byte[] streamRequest;
    private final byte[] response;
    private final byte[] sse;

    public SampleExchanges() {
        String messages = "\"messages\":[{\"role\":\"system\",\"content\":\"You are a careful assistant that writes "
                + "short, plain summaries for an engineering audience.\"},{\"role\":\"user\",\"content\":\""
                + USER_TEXT + "\"}],\"temperature\":0.2,\"max_tokens\":400";
        request = utf8("{\"model\":\"gpt-4o-mini\"," + messages + "}");
        streamRequest = utf8("{\"model\":\"gpt-4o-mini\",\"stream\":true," + messages + "}");
        response = utf8("{\"id\":\"chatcmpl-AbC123dEf456GhI789\",\"object\":\"chat.completion\",\"created\":1763900000,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":" + jsonString(ANSWER_TEXT) + ",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS
                + ",\"completion_tokens\":" + COMPLETION_TOKENS + ",\"total_tokens\":"
                + (PROMPT_TOKENS + COMPLETION_TOKENS)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
                + "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
                + "\"rejected_prediction_tokens\":0}}}");
        String prefix = "data: {\"id\":\"chatcmpl-AbC123dEf456GhI789\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1763900000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
                + "\"choices\":[{\"index\":0,\"delta\":";
        StringBuilder s = new StringBuilder(8 * 1024);
        int step = (ANSWER_TEXT.length() + STREAM_CHUNKS - 1) / STREAM_CHUNKS;
        for (int i = 0; i < STREAM_CHUNKS; i++) {
            String piece = ANSWER_TEXT.substring(
                    Math.min(i * step, ANSWER_TEXT.length()), Math.min((i + 1) * step, ANSWER_TEXT.length()));
            s.append(prefix)
                    .append(i == 0 ? "{\"role\":\"assistant\",\"content\":" : "{\"content\":")
                    .append(jsonString(piece))
                    .append("},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        }
        s.append(prefix).append("{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");
        s.append("data: [DONE]\n\n");
        sse = utf8(s.toString());
    }

    /** A new record; {@code n} makes its request id and timings distinct. */
    public ExchangeRecord record(long n, boolean stream) {
        ExchangeRecord r = new ExchangeRecord();
        r.tsEpochMillis = System.currentTimeMillis();
        r.requestId = "req_bench" + Long.toString(n, 36);
        r.apiKeyHash = KEY_HASH;
        r.method = "POST";
        r.endpoint = "/v1/chat/completions";
        r.model = "gpt-4o-mini";
        r.provider = "openai";
        r.modelResolved = "gpt-4o-mini-2024-07-18";
        r.statusCode = 200;
        r.stream = stream;
        r.attempts = 1;
        byte[] body = stream ? streamRequest : request;
        addHeader(r, "content-type", "application/json");
        addHeader(r, "content-length", Integer.toString(body.length));
        addHeader(r, "accept", stream ? "text/event-stream" : "application/json");
        addHeader(r, "user-agent", "OpenAI/Python 1.54.3");
        addHeader(r, "x-stainless-lang", "python");
        addHeader(r, "x-stainless-package-version", "1.54.3");
        addHeader(r, "x-stainless-os", "Linux");
        addHeader(r, "x-stainless-runtime", "CPython");
        String trace = String.format(Locale.ROOT, "%032x", n + 1);
        addHeader(r, "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
        r.traceId = trace;
        r.requestBody = body;
        r.responseBody = stream ? sse : response;
        long jitter = (n % 97) * 1_000_000L;
        r.totalNanos = 850_000_000L + jitter;
        r.providerNanos = 840_000_000L + jitter;
        r.ttftNanos = stream ? 210_000_000L + jitter / 4 : 840_000_000L + jitter;
        r.promptTokens = PROMPT_TOKENS;
        r.completionTokens = COMPLETION_TOKENS;
        r.totalTokens = PROMPT_TOKENS + COMPLETION_TOKENS;
        r.clientIp = "10.20." + (n >> 8 & 255) + "." + (n & 255);
        return r;
    }

    public int requestBytes() {
        return request.length;
    }

    public int responseBytes() {
        return response.length;
    }

    public int sseBytes() {
        return sse.length;
    }

    private static void addHeader(ExchangeRecord r, String name, String value) {
        r.requestHeaders.add(name);
        r.requestHeaders.add(value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
