package io.aigw.adapters.messages;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
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

/**
 * Translates an OpenAI chat SSE stream into Anthropic's Messages event sequence for an Anthropic
 * client: {@code message_start} on the first chunk, one content block at a time
 * ({@code content_block_start}, deltas, {@code content_block_stop}, indexes contiguous from 0, as
 * the SDKs' accumulators require), then {@code message_delta} with the stop reason and cumulative
 * usage and {@code message_stop} at {@code [DONE]}. Reasoning text becomes a thinking block; each
 * tool call (a new id, or a new index) opens a {@code tool_use} block whose argument fragments go
 * out as {@code input_json_delta} as they arrive, so a provider that sends a call whole (Ollama)
 * gives one delta. Usage comes from the include_usage chunk the request always asks for.
 *
 * <p>Events are cut with {@link SseEventSplitter} (any chunking) and read in place; each Anthropic
 * event is written into its own pooled buffer. Not thread-safe: one instance per stream.
 */
public final class MessagesStreamTranslator implements StreamTranslator {
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = {'\n', '\n'};

    private static final int NONE = 0;
    private static final int TEXT = 1;
    private static final int THINKING = 2;
    private static final int TOOL = 3;

    /** A tool_use block: the provider's index and id for it, and its Anthropic block index. */
    private record Tool(int index, String id, int block) {}

    private final SseEventSplitter splitter = new SseEventSplitter(this::onEvent);
    private final SseEventFields fields = new SseEventFields();
    private final ChatChunkReader chunk = new ChatChunkReader();
    private final List<ByteBuf> discard = new ArrayList<>(1);
    private final List<Tool> tools = new ArrayList<>(2);

    // Valid only during onChunk/onEnd/onError.
    private ByteBufAllocator alloc;
    private List<ByteBuf> out;

    private boolean started;
    private boolean ended;
    private int nextBlock;
    private int openKind = NONE;
    private boolean openToolArgs; // the open tool block got an argument fragment
    private String finishReason;
    private Usage usage = Usage.NONE;
    private ByteBuf current; // the event being written

    /**
     * Consumes chat SSE bytes (any chunking; does not take ownership of {@code chunk}); appends
     * Anthropic events to {@code out} as new pooled buffers the caller writes or releases.
     */
    @Override
    public void onChunk(ByteBuf in, ByteBufAllocator alloc, List<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
        try {
            splitter.split(in, discard);
        } finally {
            releaseDiscard();
            this.alloc = null;
            this.out = null;
        }
    }

    /**
     * The chat stream ended. Without {@code [DONE]} but after a finish reason the message is closed
     * as usual; with neither, the client gets an {@code error} event, never a silent end.
     */
    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
        try {
            splitter.finish(discard);
            releaseDiscard();
            if (!ended) {
                if (finishReason != null) {
                    try {
                        finish();
                    } catch (IOException e) {
                        throw new IllegalStateException(e); // writing to a ByteBuf does not fail
                    } finally {
                        if (current != null) {
                            current.release();
                            current = null;
                        }
                    }
                } else {
                    fail(new ApiError(
                            502,
                            ApiError.API_ERROR,
                            "upstream_stream_truncated",
                            null,
                            "The upstream stream ended before the response was complete."));
                }
            }
        } finally {
            this.alloc = null;
            this.out = null;
        }
    }

    /** What ends the client's stream when the relay cuts it: an Anthropic {@code error} event. */
    @Override
    public void onError(ApiError error, ByteBufAllocator alloc, List<ByteBuf> out) {
        if (ended) {
            return;
        }
        ended = true;
        out.add(MessagesErrorTranslator.toEvent(error, alloc));
    }

    @Override
    public int heldBytes() {
        return splitter.heldBytes();
    }

    /** The chat stream's usage (OpenAI words), {@link Usage#NONE} until it reported some. */
    @Override
    public Usage usage() {
        return usage;
    }

    /** The chat finish reason (OpenAI words), or null. */
    @Override
    public String finishReason() {
        return finishReason;
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
        try {
            if (fields.dataStartsWith(DONE)) {
                finish();
                return false;
            }
            boolean ok;
            try (JsonParser p =
                    MessagesJson.FACTORY.createParser(fields.dataArray(), fields.dataOffset(), fields.dataLength())) {
                ok = chunk.read(p);
            } catch (IOException e) {
                ok = false;
            }
            if (!ok && !complete) {
                return false; // the unterminated tail of a cut stream: onEnd reports the truncation
            }
            if (!ok) {
                fail(new ApiError(
                        502,
                        ApiError.API_ERROR,
                        "upstream_invalid_event",
                        null,
                        "The upstream stream sent an event that could not be read."));
                return false;
            }
            handle();
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing to a ByteBuf does not fail
        } finally {
            if (current != null) { // only after a failure mid-write
                current.release();
                current = null;
            }
        }
        return false;
    }

    private void handle() throws IOException {
        if (chunk.error || fields.isErrorEvent()) {
            fail(streamError());
            return;
        }
        if (chunk.usage != null) {
            usage = chunk.usage;
        }
        start();
        if (chunk.reasoning != null && !chunk.reasoning.isEmpty()) {
            open(THINKING);
            delta(nextBlock - 1, "thinking_delta", "thinking", chunk.reasoning);
        }
        if (chunk.content != null && !chunk.content.isEmpty()) {
            open(TEXT);
            delta(nextBlock - 1, "text_delta", "text", chunk.content);
        }
        for (ChatChunkReader.ToolFragment f : chunk.tools) {
            Tool t = find(f);
            if (t == null) {
                closeOpen();
                t = new Tool(f.index() >= 0 ? f.index() : tools.size(), f.id(), nextBlock++);
                tools.add(t);
                openKind = TOOL;
                openToolArgs = false;
                blockStart(t.block(), MessagesJson.toolId(f.id(), tools.size() - 1), f.name());
            }
            if (f.arguments() != null && !f.arguments().isEmpty()) {
                openToolArgs |= t.block() == nextBlock - 1;
                delta(t.block(), "input_json_delta", "partial_json", f.arguments());
            }
        }
        if (chunk.finishReason != null) {
            finishReason = chunk.finishReason;
        }
    }

    /**
     * The tool a fragment continues: the one with its id, else (no id) the latest with its index.
     * Null means a new call: an unseen id, or an id-less fragment for an unseen index.
     */
    private Tool find(ChatChunkReader.ToolFragment f) {
        for (int i = tools.size() - 1; i >= 0; i--) {
            Tool t = tools.get(i);
            if (f.id() != null ? f.id().equals(t.id()) : t.index() == (f.index() >= 0 ? f.index() : t.index())) {
                return t;
            }
        }
        return null;
    }

    private ApiError streamError() {
        String message = chunk.errorMessage != null ? chunk.errorMessage : "The upstream provider reported an error.";
        String type = chunk.errorType;
        int status = "rate_limit_exceeded".equals(chunk.errorCode) || "rate_limit_error".equals(type) ? 429 : 500;
        return new ApiError(status, type != null ? type : ApiError.API_ERROR, chunk.errorCode, null, message);
    }

    private void fail(ApiError e) {
        ended = true;
        out.add(MessagesErrorTranslator.toEvent(e, alloc));
    }

    // ---------------------------------------------------------------- output

    private void start() throws IOException {
        if (started) {
            return;
        }
        started = true;
        JsonGenerator g = begin("message_start");
        g.writeStringField("type", "message_start");
        g.writeObjectFieldStart("message");
        g.writeStringField("id", MessagesResponseTranslator.messageId(chunk.id));
        g.writeStringField("type", "message");
        g.writeStringField("role", "assistant");
        g.writeStringField("model", chunk.model != null ? chunk.model : "");
        g.writeArrayFieldStart("content");
        g.writeEndArray();
        g.writeNullField("stop_reason");
        g.writeNullField("stop_sequence");
        MessagesResponseTranslator.writeUsage(g, new Usage(0, 0, 0, 0));
        g.writeEndObject();
        end(g);
    }

    /** Makes a block of {@code kind} the open one, closing another first; text and thinking open lazily. */
    private void open(int kind) throws IOException {
        if (openKind == kind) {
            return;
        }
        closeOpen();
        openKind = kind;
        int i = nextBlock++;
        JsonGenerator g = begin("content_block_start");
        g.writeStringField("type", "content_block_start");
        g.writeNumberField("index", i);
        g.writeObjectFieldStart("content_block");
        if (kind == TEXT) {
            g.writeStringField("type", "text");
            g.writeStringField("text", "");
        } else {
            g.writeStringField("type", "thinking");
            g.writeStringField("thinking", "");
            g.writeStringField("signature", "");
        }
        g.writeEndObject();
        end(g);
    }

    private void blockStart(int index, String id, String name) throws IOException {
        JsonGenerator g = begin("content_block_start");
        g.writeStringField("type", "content_block_start");
        g.writeNumberField("index", index);
        g.writeObjectFieldStart("content_block");
        g.writeStringField("type", "tool_use");
        g.writeStringField("id", id);
        g.writeStringField("name", name != null ? name : "");
        g.writeObjectFieldStart("input");
        g.writeEndObject();
        g.writeEndObject();
        end(g);
    }

    private void delta(int index, String type, String field, String value) throws IOException {
        JsonGenerator g = begin("content_block_delta");
        g.writeStringField("type", "content_block_delta");
        g.writeNumberField("index", index);
        g.writeObjectFieldStart("delta");
        g.writeStringField("type", type);
        g.writeStringField(field, value);
        g.writeEndObject();
        end(g);
    }

    private void closeOpen() throws IOException {
        if (openKind == NONE) {
            return;
        }
        if (openKind == TOOL && !openToolArgs) {
            // A call without arguments: "{}" keeps every accumulator's JSON parse happy.
            delta(nextBlock - 1, "input_json_delta", "partial_json", "{}");
        }
        openKind = NONE;
        JsonGenerator g = begin("content_block_stop");
        g.writeStringField("type", "content_block_stop");
        g.writeNumberField("index", nextBlock - 1);
        end(g);
    }

    /** message_delta (stop reason, cumulative usage) and message_stop. */
    private void finish() throws IOException {
        start();
        closeOpen();
        ended = true;
        String stop = MessagesJson.stopReason(finishReason);
        if (!tools.isEmpty() && "end_turn".equals(stop)) {
            stop = "tool_use"; // providers that say "stop" after calling tools
        }
        JsonGenerator g = begin("message_delta");
        g.writeStringField("type", "message_delta");
        g.writeObjectFieldStart("delta");
        g.writeStringField("stop_reason", stop);
        g.writeNullField("stop_sequence");
        g.writeEndObject();
        MessagesResponseTranslator.writeUsage(g, usage);
        end(g);
        g = begin("message_stop");
        g.writeStringField("type", "message_stop");
        end(g);
    }

    private JsonGenerator begin(String event) throws IOException {
        current = alloc.buffer(128);
        current.writeBytes(EVENT);
        current.writeCharSequence(event, StandardCharsets.US_ASCII);
        current.writeBytes(DATA);
        JsonGenerator g = MessagesJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(current));
        g.writeStartObject();
        return g;
    }

    private void end(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.close();
        current.writeBytes(EVENT_END);
        out.add(current);
        current = null;
    }
}
