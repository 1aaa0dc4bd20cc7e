package io.aigw.adapters.anthropic;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.Arrays;
import java.util.List;

/**
 * Translates an Anthropic Messages SSE stream into OpenAI {@code chat.completion.chunk} events
 * (PROTOCOLS 4.7). Events are cut with {@link SseEventSplitter} (any chunking), each event's data
 * is read with Jackson's streaming parser in place, and every OpenAI event is written with a
 * generator into its own pooled buffer. Not thread-safe: one instance per stream, on its event
 * loop; close it when done.
 */
public final class AnthropicStreamTranslator implements StreamTranslator {
    private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = {'\n', '\n'};
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte KIND_OTHER = 0;
    private static final byte KIND_TEXT = 1;
    private static final byte KIND_TOOL = 2;
    /** The response_format emulation tool: its argument fragments become content. */
    private static final byte KIND_SCHEMA = 3;

    private final String chunkId;
    private final long created;
    private final boolean includeUsage;
    private final boolean jsonSchemaTool;

    private final SseEventSplitter splitter = new SseEventSplitter(this::onEvent);
    private final SseEventFields fields = new SseEventFields();
    private final EventReader ev = new EventReader();
    private final List<ByteBuf> discard = new ArrayList<>(1);

    // Valid only during onChunk/onEnd.
    private ByteBufAllocator alloc;
    private List<ByteBuf> out;

    private String model;
    private boolean roleSent;
    private boolean finishSent;
    private boolean ended; // message_stop, error, or truncation reported: nothing more is emitted
    private boolean sawStop;
    private boolean schemaToolSeen;
    private String finishReason;
    private long input = -1, output = -1, cacheCreation = -1, cacheRead = -1;
    private boolean usageSeen;
    private int toolIndex = -1;

    /** Per Anthropic block index: kind, OpenAI tool index, and whether argument text was sent. */
    private byte[] blockKind = new byte[4];

    private int[] blockTool = new int[4];
    private boolean[] blockArgs = new boolean[4];

    public AnthropicStreamTranslator(String chunkId, long created, boolean includeUsage, boolean jsonSchemaTool) {
        this.chunkId = chunkId;
        this.created = created;
        this.includeUsage = includeUsage;
        this.jsonSchemaTool = jsonSchemaTool;
    }

    /**
     * Consumes Anthropic SSE bytes (any chunking; does not take ownership of chunk); appends OpenAI
     * SSE events to out as new pooled buffers the caller writes or releases.
     */
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

    /**
     * Upstream ended. An unterminated last event is still read; if no message_stop was seen, an
     * OpenAI error event ({@code upstream_stream_truncated}) is emitted, never a silent [DONE].
     */
    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        this.alloc = alloc;
        this.out = out;
        try {
            splitter.finish(discard);
            releaseDiscard();
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

    /** Bytes of an unfinished upstream event held back until its end arrives. */
    @Override
    public int heldBytes() {
        return splitter.heldBytes();
    }

    /** {@link Usage#NONE} until the upstream reported usage; then input side + latest output. */
    @Override
    public Usage usage() {
        return usageSeen ? AnthropicResponseJson.usage(input, output, cacheCreation, cacheRead) : Usage.NONE;
    }

    /** The OpenAI finish_reason sent, or null before one was. */
    @Override
    public String finishReason() {
        return finishReason;
    }

    /** True once message_stop arrived (the stream completed normally). */
    public boolean completed() {
        return sawStop;
    }

    /** Releases held upstream bytes; idempotent. */
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
            return false; // comments, blank keep-alives
        }
        boolean ok;
        try (JsonParser p = AnthropicResponseJson.FACTORY.createParser(
                fields.dataArray(), fields.dataOffset(), fields.dataLength())) {
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
        } finally {
            if (current != null) { // only after a failure mid-write
                current.release();
                current = null;
            }
        }
        return false;
    }

    private void handle() throws IOException {
        String type = ev.type == null ? (fields.isErrorEvent() ? "error" : "") : ev.type;
        switch (type) {
            case "message_start":
                if (ev.model != null) {
                    model = ev.model;
                }
                takeUsage();
                ensureRole();
                break;
            case "content_block_start":
                blockStart();
                break;
            case "content_block_delta":
                blockDelta();
                break;
            case "content_block_stop":
                blockStop();
                break;
            case "message_delta":
                takeUsage();
                if (ev.stopReason != null && !finishSent) {
                    sendFinish(ev.stopReason);
                }
                break;
            case "message_stop":
                sawStop = true;
                ended = true;
                if (!finishSent) {
                    sendFinish(null);
                }
                if (includeUsage) {
                    emitUsageChunk();
                }
                out.add(alloc.buffer(DONE.length).writeBytes(DONE));
                break;
            case "error":
                ended = true;
                emitError(AnthropicErrorTranslator.forType(ev.errorType, ev.errorMessage, 500));
                break;
            default: // ping, unknown events
                break;
        }
    }

    private void takeUsage() {
        if (ev.input >= 0) {
            input = ev.input;
            usageSeen = true;
        }
        if (ev.output >= 0) {
            output = ev.output;
            usageSeen = true;
        } // cumulative: overwrite
        if (ev.cacheCreation >= 0) {
            cacheCreation = ev.cacheCreation;
            usageSeen = true;
        }
        if (ev.cacheRead >= 0) {
            cacheRead = ev.cacheRead;
            usageSeen = true;
        }
    }

    private void sendFinish(String stopReason) throws IOException {
        finishSent = true;
        finishReason = jsonSchemaTool && schemaToolSeen && "tool_use".equals(stopReason)
                ? "stop"
                : AnthropicResponseJson.finishReason(stopReason);
        ensureRole();
        JsonGenerator g = begin();
        g.writeObjectFieldStart("delta");
        g.writeEndObject();
        end(g, finishReason);
    }

    private void blockStart() throws IOException {
        int i = ev.index;
        if (i < 0) {
            return;
        }
        grow(i);
        byte kind = KIND_OTHER;
        if ("text".equals(ev.blockType)) {
            kind = KIND_TEXT;
        } else if ("tool_use".equals(ev.blockType)) {
            kind = jsonSchemaTool && AnthropicResponseJson.JSON_SCHEMA_TOOL.equals(ev.blockName)
                    ? KIND_SCHEMA
                    : KIND_TOOL;
        }
        blockKind[i] = kind;
        blockArgs[i] = false;
        if (kind == KIND_TEXT && ev.blockText != null && !ev.blockText.isEmpty()) {
            sendContent(ev.blockText);
        } else if (kind == KIND_SCHEMA) {
            schemaToolSeen = true;
        } else if (kind == KIND_TOOL) {
            int t = ++toolIndex;
            blockTool[i] = t;
            ensureRole();
            JsonGenerator g = begin();
            g.writeObjectFieldStart("delta");
            g.writeArrayFieldStart("tool_calls");
            g.writeStartObject();
            g.writeNumberField("index", t);
            g.writeStringField("id", ev.blockId);
            g.writeStringField("type", "function");
            g.writeObjectFieldStart("function");
            g.writeStringField("name", ev.blockName);
            g.writeStringField("arguments", "");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            end(g, null);
        }
    }

    private void blockDelta() throws IOException {
        int i = ev.index;
        byte kind = i >= 0 && i < blockKind.length ? blockKind[i] : KIND_OTHER;
        if ("text_delta".equals(ev.deltaType)) {
            if (ev.deltaText != null && !ev.deltaText.isEmpty()) {
                sendContent(ev.deltaText);
            }
        } else if ("input_json_delta".equals(ev.deltaType)) {
            String pj = ev.partialJson;
            if (pj == null || pj.isEmpty()) {
                return;
            }
            if (kind == KIND_SCHEMA) {
                blockArgs[i] = true;
                sendContent(pj);
            } else if (kind == KIND_TOOL) {
                blockArgs[i] = true;
                sendArguments(blockTool[i], pj);
            }
        }
        // thinking_delta, signature_delta, citations and unknown deltas are dropped
    }

    private void blockStop() throws IOException {
        int i = ev.index;
        if (i < 0 || i >= blockKind.length || blockArgs[i]) {
            return;
        }
        if (blockKind[i] == KIND_TOOL) {
            blockArgs[i] = true;
            sendArguments(blockTool[i], "{}"); // so clients can always JSON-parse the arguments
        } else if (blockKind[i] == KIND_SCHEMA) {
            blockArgs[i] = true;
            sendContent("{}");
        }
    }

    private void grow(int i) {
        if (i >= blockKind.length) {
            int n = Math.max(i + 1, blockKind.length * 2);
            blockKind = Arrays.copyOf(blockKind, n);
            blockTool = Arrays.copyOf(blockTool, n);
            blockArgs = Arrays.copyOf(blockArgs, n);
        }
    }

    // ---------------------------------------------------------------- output

    private void ensureRole() throws IOException {
        if (roleSent) {
            return;
        }
        roleSent = true;
        JsonGenerator g = begin();
        g.writeObjectFieldStart("delta");
        g.writeStringField("role", "assistant");
        g.writeStringField("content", "");
        g.writeEndObject();
        end(g, null);
    }

    private void sendContent(String text) throws IOException {
        ensureRole();
        JsonGenerator g = begin();
        g.writeObjectFieldStart("delta");
        g.writeStringField("content", text);
        g.writeEndObject();
        end(g, null);
    }

    private void sendArguments(int tool, String fragment) throws IOException {
        JsonGenerator g = begin();
        g.writeObjectFieldStart("delta");
        g.writeArrayFieldStart("tool_calls");
        g.writeStartObject();
        g.writeNumberField("index", tool);
        g.writeObjectFieldStart("function");
        g.writeStringField("arguments", fragment);
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
        end(g, null);
    }

    private ByteBuf current;

    /** Starts {@code data: {"id",...,"choices":[{"index":0,} in a new buffer; the caller writes the delta. */
    private JsonGenerator begin() throws IOException {
        JsonGenerator g = open();
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeNumberField("index", 0);
        return g;
    }

    /** Ends the choice and the chunk, and hands the buffer to out. */
    private void end(JsonGenerator g, String finish) throws IOException {
        g.writeNullField("logprobs");
        g.writeStringField("finish_reason", finish);
        g.writeEndObject();
        g.writeEndArray();
        if (includeUsage) {
            g.writeNullField("usage");
        }
        close(g);
    }

    private void emitUsageChunk() throws IOException {
        JsonGenerator g = open();
        g.writeArrayFieldStart("choices");
        g.writeEndArray();
        AnthropicResponseTranslator.writeUsage(g, AnthropicResponseJson.usage(input, output, cacheCreation, cacheRead));
        close(g);
    }

    private JsonGenerator open() throws IOException {
        current = alloc.buffer(256);
        current.writeBytes(DATA_PREFIX);
        JsonGenerator g;
        try {
            g = AnthropicResponseJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(current));
        } catch (IOException | RuntimeException e) {
            current.release();
            current = null;
            throw e;
        }
        g.writeStartObject();
        g.writeStringField("id", chunkId);
        g.writeStringField("object", "chat.completion.chunk");
        g.writeNumberField("created", created);
        g.writeStringField("model", model != null ? model : "");
        return g;
    }

    private void close(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.close();
        ByteBuf b = current;
        current = null;
        b.writeBytes(EVENT_END);
        out.add(b);
    }

    private void emitError(ApiError e) {
        byte[] json = e.toJsonBytes();
        ByteBuf b = alloc.buffer(DATA_PREFIX.length + json.length + 2);
        b.writeBytes(DATA_PREFIX).writeBytes(json).writeBytes(EVENT_END);
        out.add(b);
    }

    // ---------------------------------------------------------------- parsing

    /** The fields of one Anthropic event this translator uses, read in one pass in any order. */
    private static final class EventReader {
        String type;
        int index;
        String model;
        long input, output, cacheCreation, cacheRead;
        String blockType, blockId, blockName, blockText;
        String deltaType, deltaText, partialJson, stopReason;
        String errorType, errorMessage;

        /** True when the data is a JSON object (its fields are then read). */
        boolean read(JsonParser p) throws IOException {
            type = model = blockType = blockId = blockName = blockText = null;
            deltaType = deltaText = partialJson = stopReason = errorType = errorMessage = null;
            index = -1;
            input = output = cacheCreation = cacheRead = -1;
            if (p.nextToken() != START_OBJECT) {
                return false;
            }
            while (p.nextToken() == FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "type":
                        type = v == VALUE_STRING ? p.getText() : null;
                        break;
                    case "index":
                        index = v == VALUE_NUMBER_INT ? p.getIntValue() : -1;
                        break;
                    case "message":
                        if (v == START_OBJECT) {
                            readMessage(p);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "usage":
                        if (v == START_OBJECT) {
                            readUsage(p);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "content_block":
                        if (v == START_OBJECT) {
                            readBlock(p);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "delta":
                        if (v == START_OBJECT) {
                            readDelta(p);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "error":
                        if (v == START_OBJECT) {
                            readError(p);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            return true;
        }

        private void readMessage(JsonParser p) throws IOException {
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ("model".equals(f) && v == VALUE_STRING) {
                    model = p.getText();
                } else if ("usage".equals(f) && v == START_OBJECT) {
                    readUsage(p);
                } else {
                    p.skipChildren();
                }
            }
        }

        private void readUsage(JsonParser p) throws IOException {
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                long n = p.nextToken() == VALUE_NUMBER_INT ? p.getLongValue() : -1;
                p.skipChildren();
                switch (f) {
                    case "input_tokens":
                        input = n;
                        break;
                    case "output_tokens":
                        output = n;
                        break;
                    case "cache_creation_input_tokens":
                        cacheCreation = n;
                        break;
                    case "cache_read_input_tokens":
                        cacheRead = n;
                        break;
                    default:
                        break;
                }
            }
        }

        private void readBlock(JsonParser p) throws IOException {
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                if (p.nextToken() != VALUE_STRING) {
                    p.skipChildren();
                    continue;
                }
                switch (f) {
                    case "type":
                        blockType = p.getText();
                        break;
                    case "id":
                        blockId = p.getText();
                        break;
                    case "name":
                        blockName = p.getText();
                        break;
                    case "text":
                        blockText = p.getText();
                        break;
                    default:
                        break; // thinking text, signatures: never materialised
                }
            }
        }

        private void readDelta(JsonParser p) throws IOException {
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                if (p.nextToken() != VALUE_STRING) {
                    p.skipChildren();
                    continue;
                }
                switch (f) {
                    case "type":
                        deltaType = p.getText();
                        break;
                    case "text":
                        deltaText = p.getText();
                        break;
                    case "partial_json":
                        partialJson = p.getText();
                        break;
                    case "stop_reason":
                        stopReason = p.getText();
                        break;
                    default:
                        break;
                }
            }
        }

        private void readError(JsonParser p) throws IOException {
            while (p.nextToken() == FIELD_NAME) {
                String f = p.currentName();
                if (p.nextToken() != VALUE_STRING) {
                    p.skipChildren();
                    continue;
                }
                if ("type".equals(f)) {
                    errorType = p.getText();
                } else if ("message".equals(f)) {
                    errorMessage = p.getText();
                }
            }
        }
    }
}
