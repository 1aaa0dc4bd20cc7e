package io.aigw.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Canned response bytes for the mock provider, built once per distinct (route, stream, include_usage,
 * model string) and then served as retained duplicates of shared direct buffers. The bytes are
 * complete HTTP/1.1 wire data (status line, headers, chunked framing), so the server writes them
 * straight to the socket with no HTTP encoder and no JSON library on the request path.
 *
 * <p>Each cached response counts the requests it answered (a {@link LongAdder}: no lock on the request
 * path); {@link #stats()} sums them per model string, so a load test can check how a proxy split its
 * calls between deployments that differ only by {@code model_id}.
 */
final class MockResponses implements AutoCloseable {

    static final int CHAT = 1;
    static final int COMPLETIONS = 2;
    static final int EMBEDDINGS = 3;
    static final int MESSAGES = 4;
    static final int HEALTH = 5;
    static final int NOT_FOUND = 6;
    static final int BAD_METHOD = 7;
    static final int STATS = 8;

    /** Cached entries are direct and released by {@link #close()}; past this many, responses are built per request on the heap. */
    private static final int MAX_CACHED = 4096;

    private static final int MAX_SIZE = 16 << 20;
    private static final int MAX_CHUNKS = 100_000;

    /** Shared buffers are not reference-tracked: they live as long as the server, and are released on close. */
    private static final ByteBufAllocator SHARED_ALLOC = new UnpooledByteBufAllocator(true, true);

    private static final String FILLER =
            "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";

    /** One response: written as {@code head}, then {@code chunks} (with the configured delay between them), then {@code tail}. */
    static final class Canned {
        final int latencyMs;
        final int delayMs;
        /** Non-streaming: the whole response. Streaming: status line, headers and any leading events. */
        final ByteBuf head;
        /** Streaming only: framed content events, possibly aliasing one buffer; empty otherwise. */
        final ByteBuf[] chunks;
        /** Streaming only: trailing framed events and the chunked terminator, written together; null otherwise. */
        final ByteBuf tail;
        /** Requests answered with this response (counted by the handler for model routes). */
        final LongAdder served = new LongAdder();

        Canned(int latencyMs, int delayMs, ByteBuf head, ByteBuf[] chunks, ByteBuf tail) {
            this.latencyMs = latencyMs;
            this.delayMs = delayMs;
            this.head = head;
            this.chunks = chunks;
            this.tail = tail;
        }

        boolean streaming() {
            return tail != null;
        }
    }

    private final ConcurrentHashMap<String, Canned> cache = new ConcurrentHashMap<>();
    private final List<ByteBuf> owned = new ArrayList<>();
    private final long created = System.currentTimeMillis() / 1000;
    private final Canned health;
    private final Canned notFound;
    private final Canned badMethod;
    private final Canned tooLarge;
    private final Canned badRequest;
    final ByteBuf continue100;
    private volatile boolean closed;

    MockResponses() {
        health = new Canned(0, 0, shared(full(200, "{\"status\":\"ok\"}")), new ByteBuf[0], null);
        notFound = new Canned(
                0,
                0,
                shared(full(404, openAiError("mock: no such route", "invalid_request_error"))),
                new ByteBuf[0],
                null);
        badMethod = new Canned(
                0,
                0,
                shared(full(405, openAiError("mock: method not allowed", "invalid_request_error"))),
                new ByteBuf[0],
                null);
        tooLarge = new Canned(
                0,
                0,
                shared(full(413, openAiError("mock: request body too large", "invalid_request_error"))),
                new ByteBuf[0],
                null);
        badRequest = new Canned(
                0,
                0,
                shared(full(400, openAiError("mock: malformed request", "invalid_request_error"))),
                new ByteBuf[0],
                null);
        continue100 = shared(bytes("HTTP/1.1 100 Continue\r\n\r\n"));
    }

    Canned health() {
        return health;
    }

    Canned notFound() {
        return notFound;
    }

    Canned badMethod() {
        return badMethod;
    }

    Canned tooLarge() {
        return tooLarge;
    }

    Canned badRequest() {
        return badRequest;
    }

    /**
     * {@code {"requests":{"<model>":n,...}}}: requests answered per model string (all model routes together),
     * sorted by model. Models past the cache limit are not counted. Built per call, on the heap.
     */
    Canned stats() {
        Map<String, Long> byModel = new TreeMap<>();
        for (Map.Entry<String, Canned> e : cache.entrySet()) {
            byModel.merge(e.getKey().substring(3), e.getValue().served.sum(), Long::sum);
        }
        StringBuilder json = new StringBuilder(64 + 32 * byModel.size()).append("{\"requests\":{");
        String sep = "";
        for (Map.Entry<String, Long> e : byModel.entrySet()) {
            json.append(sep).append(jsonString(e.getKey())).append(':').append(e.getValue());
            sep = ",";
        }
        json.append("}}");
        return new Canned(0, 0, Unpooled.wrappedBuffer(full(200, json.toString())), new ByteBuf[0], null);
    }

    /** The canned response for a model route; {@code model} is the raw model string (may be null). */
    Canned get(int route, boolean stream, boolean includeUsage, String model) {
        if (route == EMBEDDINGS) {
            stream = false;
        }
        if (!stream || route == MESSAGES) {
            includeUsage = false;
        }
        String m = model == null ? "mock" : model;
        String key = new StringBuilder(m.length() + 3)
                .append((char) ('0' + route))
                .append(stream ? 's' : 'n')
                .append(includeUsage ? 'u' : '-')
                .append(m)
                .toString();
        Canned c = cache.get(key);
        if (c != null) {
            return c;
        }
        if (cache.size() >= MAX_CACHED || closed) {
            return build(route, stream, includeUsage, m, false);
        }
        synchronized (owned) {
            c = cache.get(key);
            if (c == null) {
                c = build(route, stream, includeUsage, m, true);
                cache.put(key, c);
            }
            return c;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (owned) {
            for (ByteBuf b : owned) {
                b.release();
            }
            owned.clear();
            cache.clear();
        }
    }

    // ---------------------------------------------------------------- building

    private Canned build(int route, boolean stream, boolean includeUsage, String model, boolean cached) {
        Options o = Options.parse(model);
        Builder b = new Builder(cached);
        String m = jsonString(model);
        if (o.status >= 400 && o.status <= 599) {
            String body = route == MESSAGES
                    ? "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"mock status " + o.status
                            + "\"}}"
                    : openAiError("mock status " + o.status, o.status == 429 ? "rate_limit_error" : "server_error");
            return new Canned(o.latencyMs, 0, b.buf(full(o.status, body)), new ByteBuf[0], null);
        }
        int completionTokens = Math.max(1, o.size / 4);
        String usage = "{\"prompt_tokens\":10,\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
                + (10 + completionTokens) + "}";
        if (route == EMBEDDINGS) {
            String body = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":"
                    + "[0.0023064255,-0.009327292,0.015797347]}],\"model\":" + m
                    + ",\"usage\":{\"prompt_tokens\":10,\"total_tokens\":10}}";
            return new Canned(o.latencyMs, 0, b.buf(full(200, body)), new ByteBuf[0], null);
        }
        if (!stream) {
            String text = jsonString(filler(o.size));
            String body;
            if (route == CHAT) {
                body = "{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion\",\"created\":" + created + ",\"model\":"
                        + m
                        + ",\"system_fingerprint\":\"fp_mock\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + text + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":" + usage
                        + "}";
            } else if (route == COMPLETIONS) {
                body = "{\"id\":\"cmpl-mock\",\"object\":\"text_completion\",\"created\":" + created + ",\"model\":" + m
                        + ",\"choices\":[{\"text\":" + text
                        + ",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":"
                        + usage + "}";
            } else {
                body =
                        "{\"id\":\"msg_mock\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
                                + text + "}],\"model\":" + m
                                + ",\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":"
                                + "{\"input_tokens\":10,\"output_tokens\":" + completionTokens
                                + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}";
            }
            return new Canned(o.latencyMs, 0, b.buf(full(200, body)), new ByteBuf[0], null);
        }

        int n = o.chunks;
        String piece = jsonString(filler(Math.max(1, o.size / Math.max(1, n))));
        StringBuilder head = new StringBuilder(512)
                .append("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                        + "cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n");
        StringBuilder tail = new StringBuilder(1024);
        ByteBuf first;
        ByteBuf rest;
        if (route == MESSAGES) {
            head.append(chunk(event(
                    "message_start",
                    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock\",\"type\":\"message\","
                            + "\"role\":\"assistant\",\"content\":[],\"model\":" + m
                            + ",\"stop_reason\":null,\"stop_sequence\":null,"
                            + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1,\"cache_creation_input_tokens\":0,"
                            + "\"cache_read_input_tokens\":0}}}")));
            head.append(
                    chunk(
                            event(
                                    "content_block_start",
                                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")));
            first = rest = b.buf(bytes(chunk(event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + piece
                            + "}}"))));
            tail.append(chunk(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")));
            tail.append(chunk(event(
                    "message_delta",
                    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + completionTokens + "}}")));
            tail.append(chunk(event("message_stop", "{\"type\":\"message_stop\"}")));
        } else {
            String usageNull = includeUsage ? ",\"usage\":null" : "";
            String prefix;
            String firstJson;
            String restJson;
            String finishJson;
            if (route == CHAT) {
                prefix = "{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                        + ",\"model\":" + m + ",\"system_fingerprint\":\"fp_mock\",\"choices\":";
                firstJson = prefix + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":" + piece
                        + "},\"logprobs\":null,\"finish_reason\":null}]" + usageNull + "}";
                restJson = prefix + "[{\"index\":0,\"delta\":{\"content\":" + piece
                        + "},\"logprobs\":null,\"finish_reason\":null}]" + usageNull + "}";
                finishJson = prefix + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]"
                        + usageNull + "}";
            } else {
                prefix = "{\"id\":\"cmpl-mock\",\"object\":\"text_completion\",\"created\":" + created + ",\"model\":"
                        + m + ",\"choices\":";
                firstJson = restJson = prefix + "[{\"text\":" + piece
                        + ",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]" + usageNull + "}";
                finishJson = prefix + "[{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}]"
                        + usageNull + "}";
            }
            rest = b.buf(bytes(chunk(data(restJson))));
            first = firstJson.equals(restJson) ? rest : b.buf(bytes(chunk(data(firstJson))));
            tail.append(chunk(data(finishJson)));
            if (includeUsage) {
                tail.append(chunk(data(prefix + "[],\"usage\":" + usage + "}")));
            }
            tail.append(chunk("data: [DONE]\n\n"));
        }
        tail.append("0\r\n\r\n");
        ByteBuf[] chunks = new ByteBuf[n];
        for (int i = 0; i < n; i++) {
            chunks[i] = i == 0 ? first : rest;
        }
        return new Canned(o.latencyMs, o.delayMs, b.buf(bytes(head.toString())), chunks, b.buf(bytes(tail.toString())));
    }

    /** Allocates shared buffers: direct and owned (released on close) when cached, heap (garbage collected) otherwise. */
    private final class Builder {
        private final boolean cached;

        Builder(boolean cached) {
            this.cached = cached;
        }

        ByteBuf buf(byte[] b) {
            return cached ? shared(b) : Unpooled.wrappedBuffer(b);
        }
    }

    private ByteBuf shared(byte[] b) {
        ByteBuf buf = SHARED_ALLOC.directBuffer(b.length, b.length).writeBytes(b);
        synchronized (owned) {
            owned.add(buf);
        }
        return buf;
    }

    /** Parsed {@code name;key=value;...} options of the model string. */
    static final class Options {
        int latencyMs;
        int chunks = 20;
        int delayMs;
        int size = 100;
        int status;

        static Options parse(String model) {
            Options o = new Options();
            if (model == null) {
                return o;
            }
            String[] parts = model.split(";");
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String k = parts[i].substring(0, eq).trim();
                int v;
                try {
                    v = Integer.parseInt(parts[i].substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (v < 0) {
                    continue;
                }
                switch (k) {
                    case "latency" -> o.latencyMs = v;
                    case "chunks" -> o.chunks = Math.max(1, Math.min(MAX_CHUNKS, v));
                    case "delay" -> o.delayMs = v;
                    case "size" -> o.size = Math.min(MAX_SIZE, v);
                    case "status" -> o.status = v;
                    default -> {}
                }
            }
            return o;
        }
    }

    // ---------------------------------------------------------------- text helpers

    static byte[] full(int status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head =
                "HTTP/1.1 " + status + " " + HttpResponseStatus.valueOf(status).reasonPhrase()
                        + "\r\ncontent-type: application/json\r\ncontent-length: " + b.length + "\r\n\r\n";
        byte[] h = bytes(head);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    private static String openAiError(String message, String type) {
        return "{\"error\":{\"message\":" + jsonString(message) + ",\"type\":\"" + type
                + "\",\"param\":null,\"code\":null}}";
    }

    private static String data(String json) {
        return "data: " + json + "\n\n";
    }

    private static String event(String name, String json) {
        return "event: " + name + "\ndata: " + json + "\n\n";
    }

    /** One HTTP/1.1 chunk; the payload is ASCII apart from the model name, so measure it in bytes. */
    private static String chunk(String payload) {
        int len = payload.getBytes(StandardCharsets.UTF_8).length;
        return Integer.toHexString(len) + "\r\n" + payload + "\r\n";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String filler(int size) {
        StringBuilder sb = new StringBuilder(size);
        while (sb.length() < size) {
            sb.append(FILLER, 0, Math.min(FILLER.length(), size - sb.length()));
        }
        return sb.toString();
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
