package io.aigw.adapters.ollama;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.adapters.JsonSupport;
import io.aigw.adapters.StreamTranslator;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Ollama's NDJSON chat stream (one JSON object per line, PROTOCOLS 6.2) → OpenAI
 * {@code chat.completion.chunk} SSE events. Lines may arrive in any chunking: a partial line is
 * copied aside (so upstream buffers are never retained) and each whole line is read with
 * Jackson's streaming parser. Ollama sends tool calls whole, so each becomes one complete
 * tool_call delta. Not thread-safe: one instance per stream, on its event loop.
 */
public final class OllamaStreamTranslator implements StreamTranslator {
    private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = {'\n', '\n'};
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final String chunkId;
    private final long created;
    private final boolean includeUsage;
    private final Supplier<String> toolCallIds;
    private final ChatLine line = new ChatLine();

    private byte[] held = new byte[0];
    private int heldLength;

    // Valid only during onChunk/onEnd.
    private ByteBufAllocator alloc;
    private List<ByteBuf> out;

    private String model;
    private boolean roleSent;
    private boolean ended; // done, error or truncation reported: nothing more is emitted
    private boolean completed;
    private int toolCount;
    private String finishReason;
    private Usage usage = Usage.NONE;

    public OllamaStreamTranslator(String chunkId, long created, boolean includeUsage) {
        this(chunkId, created, includeUsage, OllamaJson::newToolCallId);
    }

    /** {@code toolCallIds} names calls Ollama sent without an id (tests pass a fixed sequence). */
    public OllamaStreamTranslator(String chunkId, long created, boolean includeUsage, Supplier<String> toolCallIds) {
        this.chunkId = chunkId;
        this.created = created;
        this.includeUsage = includeUsage;
        this.toolCallIds = toolCallIds;
    }

    @Override
    public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
        try {
            int from = chunk.readerIndex();
            int end = chunk.writerIndex();
            while (from < end && !ended) {
                int nl = chunk.indexOf(from, end, (byte) '\n');
                if (nl < 0) {
                    hold(chunk, from, end - from);
                    break;
                }
                if (heldLength == 0 && chunk.hasArray()) {
                    onLine(chunk.array(), chunk.arrayOffset() + from, nl - from); // in place
                } else {
                    hold(chunk, from, nl - from);
                    onLine(held, 0, heldLength);
                }
                heldLength = 0;
                from = nl + 1;
            }
        } finally {
            this.alloc = null;
            this.out = null;
        }
    }

    /**
     * Upstream ended. An unterminated last line is still read; without a {@code done:true} line an
     * OpenAI error event ({@code upstream_stream_truncated}) is emitted, never a silent [DONE].
     */
    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
        try {
            if (heldLength > 0 && !ended) {
                onLine(held, 0, heldLength);
            }
            heldLength = 0;
            if (!ended) {
                ended = true;
                emitError(new ApiError(
                        502,
                        ApiError.API_ERROR,
                        "upstream_stream_truncated",
                        null,
                        "The upstream stream ended before the response was complete."));
            }
        } finally {
            this.alloc = null;
            this.out = null;
        }
    }

    @Override
    public int heldBytes() {
        return heldLength;
    }

    @Override
    public Usage usage() {
        return usage;
    }

    @Override
    public String finishReason() {
        return finishReason;
    }

    /** True once the {@code done:true} line arrived. */
    public boolean completed() {
        return completed;
    }

    @Override
    public void close() {
        held = new byte[0];
        heldLength = 0;
    }

    private void hold(ByteBuf chunk, int from, int length) {
        if (heldLength + length > held.length) {
            held = Arrays.copyOf(held, Math.max(heldLength + length, Math.max(256, held.length * 2)));
        }
        chunk.getBytes(from, held, heldLength, length);
        heldLength += length;
    }

    // ---------------------------------------------------------------- lines

    private void onLine(byte[] bytes, int offset, int length) {
        if (blank(bytes, offset, length)) {
            return;
        }
        boolean ok;
        try (JsonParser p = OllamaJson.FACTORY.createParser(bytes, offset, length)) {
            ok = line.read(p) && p.nextToken() == null;
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
                    "The upstream stream sent a line that could not be read."));
            return;
        }
        try {
            handle();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory; not expected
        }
    }

    private static boolean blank(byte[] b, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (b[i] != ' ' && b[i] != '\r' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private void handle() throws IOException {
        if (line.error != null) {
            ended = true;
            emitError(OllamaErrorTranslator.forStatus(500, line.error));
            return;
        }
        if (line.model != null) {
            model = line.model;
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
        if (line.content != null && !line.content.isEmpty()) {
            chunk(g -> g.writeStringField("content", line.content), null);
        }
        for (ChatLine.ToolCall t : line.toolCalls) {
            int index = toolCount++;
            String id = t.id() != null ? t.id() : toolCallIds.get();
            chunk(
                    g -> {
                        g.writeArrayFieldStart("tool_calls");
                        g.writeStartObject();
                        g.writeNumberField("index", index);
                        g.writeStringField("id", id);
                        g.writeStringField("type", "function");
                        g.writeObjectFieldStart("function");
                        g.writeStringField("name", t.name());
                        g.writeStringField("arguments", t.arguments());
                        g.writeEndObject();
                        g.writeEndObject();
                        g.writeEndArray();
                    },
                    null);
        }
        if (line.done) {
            ended = true;
            completed = true;
            usage = OllamaJson.usage(line.promptEvalCount, line.evalCount);
            finishReason = OllamaJson.finishReason(line.doneReason, toolCount > 0);
            chunk(g -> {}, finishReason);
            if (includeUsage) {
                event(g -> {
                    g.writeArrayFieldStart("choices");
                    g.writeEndArray();
                    OllamaJson.writeUsage(g, usage);
                });
            }
            out.add(alloc.buffer(DONE.length).writeBytes(DONE));
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
    private void event(JsonSupport.Writer body) throws IOException {
        ByteBuf b = alloc.buffer(256);
        boolean ok = false;
        try {
            b.writeBytes(DATA_PREFIX);
            try (JsonGenerator g = OllamaJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(b))) {
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
