package io.aigw.adapters.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.adapters.JsonSupport;
import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.sse.SseEventFields;
import io.aigw.adapters.sse.SseEventSplitter;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Gemini's {@code streamGenerateContent?alt=sse} (CRLF-framed {@code data:} events, each a
 * {@code GenerateContentResponse} with only the new parts; PROTOCOLS 7) → OpenAI
 * {@code chat.completion.chunk} events. Events are cut with {@link SseEventSplitter} in any chunking
 * and read in place with Jackson's streaming parser. Gemini sends function calls whole, so each is
 * one complete tool_call delta. Gemini has no end marker: the finish reason is its last word, and
 * the usage chunk (when asked for) and {@code [DONE]} go out when the upstream ends after it; an
 * end before any finish reason is a truncation error. Not thread-safe: one instance per stream.
 */
public final class GeminiStreamTranslator implements StreamTranslator {
    private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = {'\n', '\n'};
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final String chunkId;
    private final long created;
    private final boolean includeUsage;
    private final Supplier<String> toolCallIds;
    private final SseEventSplitter splitter = new SseEventSplitter(this::onEvent);
    private final SseEventFields fields = new SseEventFields();
    private final GeminiAnswer ev = new GeminiAnswer();
    private final List<ByteBuf> discard = new ArrayList<>(1);

    // Valid only during onChunk/onEnd.
    private ByteBufAllocator alloc;
    private List<ByteBuf> out;

    private String model;
    private boolean roleSent;
    private boolean ended; // error or truncation reported, or [DONE] sent: nothing more is emitted
    private boolean completed;
    private int toolCount;
    private String finishReason;
    private GeminiUsage usage = GeminiUsage.NONE;

    public GeminiStreamTranslator(String chunkId, long created, String model, boolean includeUsage) {
        this(chunkId, created, model, includeUsage, GeminiJson::newToolCallId);
    }

    /** {@code model} names the chunks until Gemini sends a modelVersion; {@code toolCallIds} as in tests. */
    public GeminiStreamTranslator(
            String chunkId, long created, String model, boolean includeUsage, Supplier<String> toolCallIds) {
        this.chunkId = chunkId;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
        this.toolCallIds = toolCallIds;
    }

    /** Does not take ownership of {@code chunk}; appends new buffers the caller writes or releases. */
    @Override
    public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
        try {
            splitter.split(chunk, discard);
        } finally {
            releaseDiscard();
            this.alloc = null;
            this.out = null;
        }
    }

    /** Upstream ended: after a finish reason the stream is complete, before one it was cut. */
    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
        try {
            splitter.finish(discard);
            releaseDiscard();
            if (ended) {
                return;
            }
            ended = true;
            if (finishReason == null) {
                emitError(new ApiError(
                        502,
                        ApiError.API_ERROR,
                        "upstream_stream_truncated",
                        null,
                        "The upstream stream ended before the response was complete."));
                return;
            }
            completed = true;
            if (includeUsage) {
                event(g -> {
                    g.writeArrayFieldStart("choices");
                    g.writeEndArray();
                    usage.write(g);
                });
            }
            out.add(alloc.buffer(DONE.length).writeBytes(DONE));
        } finally {
            this.alloc = null;
            this.out = null;
        }
    }

    @Override
    public int heldBytes() {
        return splitter.heldBytes();
    }

    /** The latest cumulative usageMetadata: the log gets it whether or not the client asked. */
    @Override
    public Usage usage() {
        return usage.usage();
    }

    /** The full usage, with thought and cached tokens. */
    public GeminiUsage geminiUsage() {
        return usage;
    }

    @Override
    public String finishReason() {
        return finishReason;
    }

    /** True once the stream ended after a finish reason. */
    public boolean completed() {
        return completed;
    }

    @Override
    public void close() {
        splitter.close();
        releaseDiscard();
    }

    private void releaseDiscard() {
        for (ByteBuf b : discard) {
            b.release();
        }
        discard.clear();
    }

    // ---------------------------------------------------------------- events

    private boolean onEvent(byte[] bytes, int offset, int length, boolean complete) {
        if (ended) {
            return false;
        }
        fields.parse(bytes, offset, length);
        if (!fields.hasData()) {
            return false; // comments, keep-alives
        }
        boolean ok;
        try (JsonParser p =
                GeminiJson.FACTORY.createParser(fields.dataArray(), fields.dataOffset(), fields.dataLength())) {
            ok = ev.read(p) && p.nextToken() == null;
        } catch (IOException e) {
            ok = false;
        }
        if (!ok) {
            ended = true;
            emitError(new ApiError(
                    502,
                    ApiError.API_ERROR,
                    "upstream_invalid_event",
                    null,
                    "The upstream stream sent an event that could not be read."));
            return false;
        }
        try {
            handle();
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing to a ByteBuf does not fail
        }
        return false;
    }

    private void handle() throws IOException {
        if (ev.error) {
            ended = true;
            emitError(GeminiErrorTranslator.of(200, ev));
            return;
        }
        if (ev.modelVersion != null) {
            model = ev.modelVersion;
        }
        if (ev.usageSeen()) {
            usage = GeminiUsage.of(ev); // cumulative: the latest wins
        }
        if (finishReason != null) {
            return; // a usage-only event after the finish
        }
        if (!roleSent) {
            roleSent = true;
            chunk(
                    g -> {
                        g.writeStringField("role", "assistant");
                        g.writeStringField("content", "");
                    },
                    null);
        }
        if (ev.text.length() > 0) {
            String text = ev.text.toString();
            chunk(g -> g.writeStringField("content", text), null);
        }
        for (GeminiAnswer.Call c : ev.calls) {
            int index = toolCount++;
            String id = GeminiResponseTranslator.id(index, c, toolCallIds);
            chunk(
                    g -> {
                        g.writeArrayFieldStart("tool_calls");
                        GeminiResponseTranslator.writeCall(g, index, c, id);
                        g.writeEndArray();
                    },
                    null);
        }
        if (ev.finishReason != null || ev.blockReason != null) {
            finishReason = GeminiUsage.finishReason(ev.finishReason, toolCount > 0, ev.blockReason);
            chunk(g -> {}, finishReason);
        }
    }

    // ---------------------------------------------------------------- output

    /** One chunk with a single choice: {@code delta} writes the delta's fields. */
    private void chunk(JsonSupport.Writer delta, String finish) throws IOException {
        event(g -> {
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("delta");
            delta.write(g);
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish);
            g.writeEndObject();
            g.writeEndArray();
            if (includeUsage) {
                g.writeNullField("usage"); // as OpenAI does on every chunk but the last
            }
        });
    }

    /** {@code data: {"id",...,<body>}\n\n} in its own pooled buffer, appended to out. */
    private void event(JsonSupport.Writer body) {
        ByteBuf b = alloc.buffer(256);
        boolean ok = false;
        try {
            b.writeBytes(DATA_PREFIX);
            try (JsonGenerator g = GeminiJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(b))) {
                g.writeStartObject();
                g.writeStringField("id", chunkId);
                g.writeStringField("object", "chat.completion.chunk");
                g.writeNumberField("created", created);
                g.writeStringField("model", model != null ? model : "");
                body.write(g);
                g.writeEndObject();
            }
            b.writeBytes(EVENT_END);
            ok = true;
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing to a ByteBuf does not fail
        } finally {
            if (!ok) {
                b.release();
            }
        }
        out.add(b);
    }

    private void emitError(ApiError e) {
        byte[] json = e.toJsonBytes();
        ByteBuf b = alloc.buffer(DATA_PREFIX.length + json.length + 2);
        b.writeBytes(DATA_PREFIX).writeBytes(json).writeBytes(EVENT_END);
        out.add(b);
    }
}
