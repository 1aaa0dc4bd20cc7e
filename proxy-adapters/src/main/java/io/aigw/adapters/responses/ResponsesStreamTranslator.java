package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.sse.SseEventFields;
import io.aigw.adapters.sse.SseEventSplitter;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI chat SSE ({@code chat.completion.chunk}s, then usage, then {@code [DONE]}) to the
 * Responses event stream: {@code response.created}, {@code response.in_progress}; per output item
 * {@code output_item.added}, then for a message {@code content_part.added},
 * {@code output_text.delta}*, {@code output_text.done}, {@code content_part.done}, or for a
 * function call {@code function_call_arguments.delta}*, {@code .done}; {@code output_item.done};
 * finally {@code response.completed} (or {@code response.incomplete}) with the whole output and
 * usage. No {@code [DONE]}: the Responses stream ends with its last event.
 *
 * <p>Each item gets its id when it is added and keeps it in every later event; {@code output_index}
 * and {@code sequence_number} only grow. Items are emitted one after another: an item is done when
 * the next one starts (a late argument fragment for a done call still reaches the final output).
 * Events are cut with {@link SseEventSplitter}, read with Jackson's streaming parser, and each
 * output event is written into its own pooled buffer. One instance per stream, on its event loop.
 */
public final class ResponsesStreamTranslator implements StreamTranslator {
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);

    private final Echo echo;
    private final String idBase;
    private final long createdAt;

    private final SseEventSplitter splitter = new SseEventSplitter(this::onEvent);
    private final SseEventFields fields = new SseEventFields();
    private final ChatChunk chunk = new ChatChunk();
    private final List<ByteBuf> discard = new ArrayList<>(1);
    private final List<OutputItem> items = new ArrayList<>(2);
    /** Per chat tool_calls index, the latest item made for it. */
    private final List<OutputItem> byToolIndex = new ArrayList<>(2);

    // Valid only during onChunk/onEnd.
    private ByteBufAllocator alloc;
    private List<ByteBuf> out;

    private OutputItem current;
    private boolean started;
    private boolean ended;
    private long sequence;
    private String model;
    private String finishReason;
    private Tokens tokens;

    /**
     * @param echo the request fields every Response object repeats
     * @param idBase makes the response and item ids ({@link ResponseIds#newBase()})
     * @param createdAt the Response's created_at (Unix seconds)
     */
    public ResponsesStreamTranslator(Echo echo, String idBase, long createdAt) {
        this.echo = echo;
        this.idBase = idBase;
        this.createdAt = createdAt;
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

    /**
     * The chat stream ended. When it gave a finish reason the Response completes (even without
     * [DONE]); otherwise the client gets an error event, never a Response that looks complete.
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
                    complete();
                } else {
                    fail(new ApiError(
                            502,
                            ApiError.API_ERROR,
                            "upstream_stream_truncated",
                            null,
                            "The upstream stream ended before the response was complete."));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing to a ByteBuf does not fail
        } finally {
            dropPartial();
            this.alloc = null;
            this.out = null;
        }
    }

    /**
     * Ends the client's stream with {@code error} (a 200 is already on the wire): an error event
     * numbered after the last one sent. Nothing is emitted after it.
     */
    @Override
    public void onError(ApiError error, ByteBufAllocator alloc, List<ByteBuf> out) {
        if (ended) {
            return;
        }
        ended = true;
        out.add(ResponsesErrorEvent.of(error, sequence++, alloc));
    }

    @Override
    public int heldBytes() {
        return splitter.heldBytes();
    }

    /** The chat usage, in OpenAI words; {@link Usage#NONE} until it arrived. */
    @Override
    public Usage usage() {
        return tokens == null ? Usage.NONE : tokens.usage();
    }

    /** The chat finish reason (OpenAI words), or null. */
    @Override
    public String finishReason() {
        return finishReason;
    }

    /** Events sent so far (the next event's sequence_number). */
    public long sequence() {
        return sequence;
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

    // ---------------------------------------------------------------- chat events

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
                complete();
                return false;
            }
            boolean ok;
            try (JsonParser p =
                    ResponsesJson.FACTORY.createParser(fields.dataArray(), fields.dataOffset(), fields.dataLength())) {
                ok = chunk.read(p);
            } catch (IOException e) {
                ok = false;
            }
            if (!ok && !complete) {
                return false; // a cut last event: onEnd reports the truncation
            }
            if (!ok) {
                fail(new ApiError(
                        502,
                        ApiError.API_ERROR,
                        "upstream_invalid_event",
                        null,
                        "The upstream stream sent an event that could not be read."));
            } else if (chunk.error || fields.isErrorEvent()) {
                ended = true;
                out.add(ResponsesErrorEvent.of(
                        chunk.errorCode != null
                                ? chunk.errorCode
                                : chunk.errorType != null ? chunk.errorType : "api_error",
                        chunk.errorMessage,
                        chunk.errorParam,
                        sequence++,
                        alloc));
            } else {
                handle();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing to a ByteBuf does not fail
        } finally {
            dropPartial();
        }
        return false;
    }

    /** Only after a failure mid-write: the event being written is not handed out. */
    private void dropPartial() {
        if (buf != null) {
            buf.release();
            buf = null;
        }
    }

    private void handle() throws IOException {
        if (chunk.model != null && !chunk.model.isEmpty()) {
            model = chunk.model;
        }
        start();
        if (chunk.content != null && !chunk.content.isEmpty()) {
            text(chunk.content);
        }
        for (int i = 0; i < chunk.calls; i++) {
            toolCall(chunk.call(i));
        }
        if (chunk.finishReason != null) {
            finishReason = chunk.finishReason;
        }
        if (chunk.usage != null) {
            tokens = chunk.usage;
        }
    }

    private void start() throws IOException {
        if (started) {
            return;
        }
        started = true;
        for (String type : new String[] {"response.created", "response.in_progress"}) {
            JsonGenerator g = begin(type);
            g.writeFieldName("response");
            echo.writeResponse(g, ResponseIds.response(idBase), createdAt, "in_progress", null, model, List.of(), null);
            end(g);
        }
    }

    private void text(String delta) throws IOException {
        if (current == null || !current.message) {
            finishCurrent("completed");
            current = OutputItem.message(ResponseIds.item(idBase, true, items.size()), items.size());
            items.add(current);
            itemAdded(current);
            JsonGenerator g = begin("response.content_part.added");
            itemRef(g, current);
            g.writeNumberField("content_index", 0);
            g.writeFieldName("part");
            OutputItem.writeTextPart(g, "");
            end(g);
        }
        current.text.append(delta);
        JsonGenerator g = begin("response.output_text.delta");
        itemRef(g, current);
        g.writeNumberField("content_index", 0);
        g.writeStringField("delta", delta);
        g.writeArrayFieldStart("logprobs");
        g.writeEndArray();
        end(g);
    }

    private void toolCall(ChatChunk.Call c) throws IOException {
        int index = c.index >= 0 ? c.index : 0;
        OutputItem item = index < byToolIndex.size() ? byToolIndex.get(index) : null;
        // A new id at a known index is a new call: Ollama numbers every call 0.
        if (item == null || (c.id != null && !c.id.isEmpty() && !c.id.equals(item.callId))) {
            finishCurrent("completed");
            int n = items.size();
            item = OutputItem.functionCall(
                    ResponseIds.item(idBase, false, n),
                    n,
                    c.id != null && !c.id.isEmpty() ? c.id : ResponseIds.call(idBase, n),
                    c.name != null ? c.name : "");
            items.add(item);
            while (byToolIndex.size() <= index) {
                byToolIndex.add(null);
            }
            byToolIndex.set(index, item);
            current = item;
            itemAdded(item);
        } else if (c.name != null && item.name.isEmpty()) {
            item.name = c.name;
        }
        if (c.arguments == null || c.arguments.isEmpty()) {
            return;
        }
        item.text.append(c.arguments);
        if (item != current) {
            return; // a late fragment of a call already done: kept for the final output only
        }
        JsonGenerator g = begin("response.function_call_arguments.delta");
        itemRef(g, item);
        g.writeStringField("delta", c.arguments);
        end(g);
    }

    private void itemAdded(OutputItem item) throws IOException {
        JsonGenerator g = begin("response.output_item.added");
        g.writeNumberField("output_index", item.outputIndex);
        g.writeFieldName("item");
        item.write(g, false);
        end(g);
    }

    /** The done events of the open item, if any. */
    private void finishCurrent(String status) throws IOException {
        OutputItem item = current;
        if (item == null) {
            return;
        }
        current = null;
        item.status = status;
        if (item.message) {
            JsonGenerator g = begin("response.output_text.done");
            itemRef(g, item);
            g.writeNumberField("content_index", 0);
            g.writeStringField("text", item.text.toString());
            g.writeArrayFieldStart("logprobs");
            g.writeEndArray();
            end(g);
            g = begin("response.content_part.done");
            itemRef(g, item);
            g.writeNumberField("content_index", 0);
            g.writeFieldName("part");
            OutputItem.writeTextPart(g, item.text);
            end(g);
        } else {
            JsonGenerator g = begin("response.function_call_arguments.done");
            itemRef(g, item);
            g.writeStringField("name", item.name);
            g.writeStringField("arguments", item.text.toString());
            end(g);
        }
        JsonGenerator g = begin("response.output_item.done");
        g.writeNumberField("output_index", item.outputIndex);
        g.writeFieldName("item");
        item.write(g);
        end(g);
    }

    /** [DONE] (or a finished stream's end): the last item is done, then the whole Response. */
    private void complete() throws IOException {
        if (ended) {
            return;
        }
        start();
        String incomplete = ChatAnswer.incompleteReason(finishReason);
        String status = incomplete == null ? "completed" : "incomplete";
        finishCurrent(status);
        for (OutputItem item : items) {
            if (item.status.equals("in_progress")) {
                item.status = status;
            }
        }
        ended = true;
        JsonGenerator g = begin(incomplete == null ? "response.completed" : "response.incomplete");
        g.writeFieldName("response");
        echo.writeResponse(
                g,
                ResponseIds.response(idBase),
                createdAt,
                status,
                incomplete,
                model,
                items,
                tokens != null ? tokens : new Tokens(0, 0, 0, 0, 0));
        end(g);
    }

    private void fail(ApiError error) {
        ended = true;
        out.add(ResponsesErrorEvent.of(error, sequence++, alloc));
    }

    // ---------------------------------------------------------------- output

    private ByteBuf buf;

    /** {@code event: <type>\ndata: {"type":..,"sequence_number":..} in a new buffer; the caller adds fields. */
    private JsonGenerator begin(String type) throws IOException {
        buf = alloc.buffer(256);
        buf.writeBytes(EVENT);
        buf.writeCharSequence(type, StandardCharsets.US_ASCII);
        buf.writeBytes(DATA);
        JsonGenerator g;
        try {
            g = ResponsesJson.generator(buf);
        } catch (IOException | RuntimeException e) {
            buf.release();
            buf = null;
            throw e;
        }
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeNumberField("sequence_number", sequence++);
        return g;
    }

    private static void itemRef(JsonGenerator g, OutputItem item) throws IOException {
        g.writeStringField("item_id", item.id);
        g.writeNumberField("output_index", item.outputIndex);
    }

    private void end(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.close();
        ByteBuf b = buf;
        buf = null;
        b.writeByte('\n').writeByte('\n');
        out.add(b);
    }
}
