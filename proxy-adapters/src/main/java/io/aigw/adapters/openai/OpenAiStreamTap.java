package io.aigw.adapters.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.sse.SseEventFields;
import io.aigw.adapters.sse.SseEventSplitter;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.List;

/**
 * Watches an OpenAI SSE stream on its way to the client: picks up usage, finish_reason, [DONE] and
 * errors, and (when the proxy forced {@code include_usage} for a client that did not ask for it)
 * drops the usage-only chunk; for Azure it also drops the content-filter annotation chunks (no
 * {@code id}, no usage, no finish reason), which strict OpenAI clients cannot read. The bytes are
 * relayed as retained slices of upstream buffers; see {@link SseEventSplitter}. One instance per stream, on its event loop; close it when done.
 */
public final class OpenAiStreamTap implements StreamTranslator {
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

    private final boolean dropUsageOnlyChunk;
    private final boolean dropAzureAnnotations;
    private final SseEventSplitter splitter = new SseEventSplitter(this::onEvent);
    private final SseEventFields fields = new SseEventFields();
    private final CompletionReader reader = new CompletionReader();

    private Usage usage = Usage.NONE;
    private String finishReason;
    private boolean sawDone;
    private boolean sawError;
    private int events;

    public OpenAiStreamTap(boolean dropUsageOnlyChunk) {
        this(dropUsageOnlyChunk, false);
    }

    /**
     * @param dropAzureAnnotations drop chunks with an empty {@code id} that carry neither usage nor
     *     a finish reason: Azure's {@code prompt_filter_results} chunk (empty {@code choices}) and its
     *     asynchronous-filter chunks ({@code content_filter_results} without a {@code delta}). Their
     *     filter verdicts matter to nobody downstream; a real block still arrives as a normal chunk
     *     with {@code finish_reason: "content_filter"}.
     */
    public OpenAiStreamTap(boolean dropUsageOnlyChunk, boolean dropAzureAnnotations) {
        this.dropUsageOnlyChunk = dropUsageOnlyChunk;
        this.dropAzureAnnotations = dropAzureAnnotations;
    }

    /**
     * Does not take ownership of chunk. Appends to out, in order, buffers the caller must write (and
     * thus release): retained slices of chunk and/or of held bytes. Only complete events are
     * emitted; a trailing partial event is held (retained) until the next chunk.
     */
    public void onChunk(ByteBuf chunk, List<ByteBuf> out) {
        splitter.split(chunk, out);
    }

    /** Forwards slices of {@code chunk} itself: an OpenAI-compatible stream needs no new buffers. */
    @Override
    public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
        onChunk(chunk, out);
    }

    /** Upstream ended: emits held partial bytes as they are (they are read, never dropped). */
    public void onEnd(List<ByteBuf> out) {
        splitter.finish(out);
    }

    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        onEnd(out);
    }

    /** Bytes of an unfinished event held back until its end arrives. */
    @Override
    public int heldBytes() {
        return splitter.heldBytes();
    }

    /** Releases held bytes; idempotent. */
    @Override
    public void close() {
        splitter.close();
    }

    /** {@link Usage#NONE} until a chunk carried a usage object; then the last one seen. */
    @Override
    public Usage usage() {
        return usage;
    }

    /** The last non-null choices[].finish_reason seen, or null. */
    @Override
    public String finishReason() {
        return finishReason;
    }

    public boolean sawDone() {
        return sawDone;
    }

    /** An event named error, or data that is an object with a non-null top-level error. */
    public boolean sawError() {
        return sawError;
    }

    /** Complete events seen, dropped ones included. */
    public int events() {
        return events;
    }

    private boolean onEvent(byte[] bytes, int offset, int length, boolean complete) {
        if (complete) {
            events++;
        }
        fields.parse(bytes, offset, length);
        if (fields.isErrorEvent()) {
            sawError = true;
        }
        if (!fields.hasData()) {
            return true; // comments, keep-alives, stray blank lines
        }
        if (fields.dataStartsWith(DONE)) { // the SDK stops on any data beginning with [DONE]
            sawDone = true;
            return true;
        }
        if (!readData()) {
            return true; // not ours to judge: forward unparseable data untouched
        }
        if (reader.error) {
            sawError = true;
            return true;
        }
        if (reader.lastFinishReason != null) {
            finishReason = reader.lastFinishReason;
        }
        if (reader.usage == null) {
            return !(dropAzureAnnotations
                    && complete
                    && reader.idEmpty
                    && reader.lastFinishReason == null
                    && !fields.isErrorEvent());
        }
        usage = reader.usage;
        return !(dropUsageOnlyChunk && complete && reader.choicesEmpty && !fields.isErrorEvent());
    }

    /** True when the data is a well-formed JSON object; the reader then holds its fields. */
    private boolean readData() {
        try (JsonParser p =
                OpenAiJson.RESPONSES.createParser(fields.dataArray(), fields.dataOffset(), fields.dataLength())) {
            return reader.read(p) == JsonToken.START_OBJECT && p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
