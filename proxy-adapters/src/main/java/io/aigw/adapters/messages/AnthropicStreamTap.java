package io.aigw.adapters.messages;

import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_STRING;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.sse.SseEventFields;
import io.aigw.adapters.sse.SseEventSplitter;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Watches an Anthropic Messages stream relayed unchanged to an Anthropic client (the pass-through
 * pair): every event goes out as retained slices of the upstream buffers (see
 * {@link SseEventSplitter}), while usage is read from {@code message_start} and
 * {@code message_delta} and the stop reason (in OpenAI's words, for the log) from
 * {@code message_delta}. Deltas, the bulk of a stream, are recognised by their first bytes and not
 * parsed. Anthropic streams have no {@code [DONE]}: the end is {@code message_stop}; a stream that
 * ends without it, or an error event, gets an Anthropic {@code error} event so the client never
 * mistakes a cut stream for a whole one. One instance per stream, on its event loop.
 */
public final class AnthropicStreamTap implements StreamTranslator {
    private static final byte[] DELTA = "{\"type\":\"content_block_delta\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "{\"type\":\"ping\"".getBytes(StandardCharsets.US_ASCII);

    private final SseEventSplitter splitter = new SseEventSplitter(this::onEvent);
    private final SseEventFields fields = new SseEventFields();
    private final AnthropicUsage usage = new AnthropicUsage();

    private String stopReason;
    private boolean sawStop;
    private boolean sawError;

    /** Forwards slices of {@code chunk} itself; no new buffers. */
    @Override
    public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
        splitter.split(chunk, out);
    }

    /** Forwards a held tail as it is; a stream cut before {@code message_stop} gets an error event. */
    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        splitter.finish(out);
        if (!sawStop && !sawError) {
            onError(
                    new ApiError(
                            502,
                            ApiError.API_ERROR,
                            "upstream_stream_truncated",
                            null,
                            "The upstream stream ended before the response was complete."),
                    alloc,
                    out);
        }
    }

    /** The relay cut the stream: an Anthropic {@code error} event, once. */
    @Override
    public void onError(ApiError error, ByteBufAllocator alloc, List<ByteBuf> out) {
        if (sawStop || sawError) {
            return;
        }
        sawError = true;
        out.add(MessagesErrorTranslator.toEvent(error, alloc));
    }

    @Override
    public int heldBytes() {
        return splitter.heldBytes();
    }

    /** Input side from message_start, cumulative output (and any repeated input) from message_delta. */
    @Override
    public Usage usage() {
        return usage.toUsage();
    }

    @Override
    public String finishReason() {
        return MessagesJson.finishReason(stopReason);
    }

    /** True once {@code message_stop} went by. */
    public boolean completed() {
        return sawStop;
    }

    @Override
    public void close() {
        splitter.close();
    }

    private boolean onEvent(byte[] bytes, int offset, int length, boolean complete) {
        fields.parse(bytes, offset, length);
        if (fields.isErrorEvent()) {
            sawError = true;
        }
        if (!fields.hasData() || fields.dataStartsWith(DELTA) || fields.dataStartsWith(PING)) {
            return true;
        }
        try (JsonParser p =
                MessagesJson.FACTORY.createParser(fields.dataArray(), fields.dataOffset(), fields.dataLength())) {
            if (p.nextToken() == START_OBJECT) {
                read(p);
            }
        } catch (IOException e) {
            // not ours to judge: forwarded untouched
        }
        return true;
    }

    private void read(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("type".equals(f) && v == VALUE_STRING) {
                String type = p.getText();
                if ("message_stop".equals(type)) {
                    sawStop = true;
                } else if ("error".equals(type)) {
                    sawError = true;
                }
            } else if ("usage".equals(f) && v == START_OBJECT) {
                usage.read(p);
            } else if (("message".equals(f) || "delta".equals(f)) && v == START_OBJECT) {
                while (p.nextToken() == FIELD_NAME) {
                    String m = p.currentName();
                    JsonToken mv = p.nextToken();
                    if ("usage".equals(m) && mv == START_OBJECT) {
                        usage.read(p);
                    } else if ("stop_reason".equals(m) && mv == VALUE_STRING) {
                        stopReason = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }
}
