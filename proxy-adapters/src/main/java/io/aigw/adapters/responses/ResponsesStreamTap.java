package io.aigw.adapters.responses;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.FIELD_NAME;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;
import static com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT;
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
import java.util.List;

/**
 * Watches a native Responses stream on its way to the client, relaying it as retained slices of the
 * upstream buffers (see {@link SseEventSplitter}), never copies. It reads usage and the outcome from
 * the terminal event ({@code response.completed}, {@code response.incomplete} or
 * {@code response.failed}), and the last {@code sequence_number}, so that an error it must add
 * continues the numbering. A stream cut before any terminal event ends with an error event: a
 * Responses stream has no {@code [DONE]}, so the client could not tell otherwise.
 */
public final class ResponsesStreamTap implements StreamTranslator {
    private final SseEventSplitter splitter = new SseEventSplitter(this::onEvent);
    private final SseEventFields fields = new SseEventFields();

    private long lastSequence = -1;
    private boolean terminal;
    private boolean added; // an error event of ours went out
    private Usage usage = Usage.NONE;
    private String finishReason;
    private String status;

    // Per event, while reading.
    private String type;
    private String evStatus;
    private String evIncomplete;
    private boolean evFunctionCall;
    private Tokens evUsage;

    /** Does not take ownership of {@code chunk}; appends retained slices the caller writes. */
    @Override
    public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
        splitter.split(chunk, out);
    }

    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        splitter.finish(out);
        if (!terminal && !added) {
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

    /** Ends the client's stream with an error event numbered after the last upstream event. */
    @Override
    public void onError(ApiError error, ByteBufAllocator alloc, List<ByteBuf> out) {
        if (added) {
            return;
        }
        added = true;
        out.add(ResponsesErrorEvent.of(error, ++lastSequence, alloc));
    }

    @Override
    public int heldBytes() {
        return splitter.heldBytes();
    }

    /** From the terminal event's usage, in OpenAI words; {@link Usage#NONE} before it. */
    @Override
    public Usage usage() {
        return usage;
    }

    /**
     * In OpenAI words: stop, tool_calls (the output has a function call), length
     * (max_output_tokens) or content_filter; null before the terminal event and after a failure.
     */
    @Override
    public String finishReason() {
        return finishReason;
    }

    /** The terminal event's response.status (completed, incomplete, failed, ...), or null. */
    public String status() {
        return status;
    }

    @Override
    public void close() {
        splitter.close();
    }

    private boolean onEvent(byte[] bytes, int offset, int length, boolean complete) {
        fields.parse(bytes, offset, length);
        if (!fields.hasData() || !complete) {
            return true;
        }
        try (JsonParser p =
                ResponsesJson.FACTORY.createParser(fields.dataArray(), fields.dataOffset(), fields.dataLength())) {
            read(p);
        } catch (IOException e) {
            return true; // not ours to judge: forward it untouched
        }
        if (type == null) {
            return true;
        }
        switch (type) {
            case "response.completed", "response.incomplete", "response.failed" -> {
                terminal = true;
                status = evStatus;
                if (evUsage != null) {
                    usage = evUsage.usage();
                }
                finishReason = finishReason(evStatus, evIncomplete, evFunctionCall);
            }
            case "error" -> terminal = true;
            default -> {}
        }
        return true;
    }

    private static String finishReason(String status, String incomplete, boolean functionCall) {
        if ("completed".equals(status)) {
            return functionCall ? "tool_calls" : "stop";
        }
        if ("incomplete".equals(status)) {
            return "content_filter".equals(incomplete) ? "content_filter" : "length";
        }
        return null;
    }

    private void read(JsonParser p) throws IOException {
        type = evStatus = evIncomplete = null;
        evFunctionCall = false;
        evUsage = null;
        if (p.nextToken() != START_OBJECT) {
            return;
        }
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("type".equals(name) && v == VALUE_STRING) {
                type = p.getText();
            } else if ("sequence_number".equals(name) && v == VALUE_NUMBER_INT) {
                lastSequence = Math.max(lastSequence, p.getLongValue());
            } else if ("response".equals(name) && v == START_OBJECT) {
                response(p);
            } else {
                p.skipChildren();
            }
        }
    }

    private void response(JsonParser p) throws IOException {
        while (p.nextToken() == FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("status".equals(name) && v == VALUE_STRING) {
                evStatus = p.getText();
            } else if ("usage".equals(name) && v == START_OBJECT) {
                evUsage = Tokens.readResponses(p);
            } else if ("incomplete_details".equals(name) && v == START_OBJECT) {
                while (p.nextToken() == FIELD_NAME) {
                    boolean reason = "reason".equals(p.currentName());
                    if (p.nextToken() == VALUE_STRING && reason) {
                        evIncomplete = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else if ("output".equals(name) && v == START_ARRAY) {
                JsonToken t;
                while ((t = p.nextToken()) != END_ARRAY) {
                    if (t == START_OBJECT) {
                        evFunctionCall |= isFunctionCall(p);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private static boolean isFunctionCall(JsonParser p) throws IOException {
        boolean call = false;
        while (p.nextToken() == FIELD_NAME) {
            boolean typeField = "type".equals(p.currentName());
            if (p.nextToken() == VALUE_STRING && typeField) {
                call = "function_call".equals(p.getText());
            } else {
                p.skipChildren();
            }
        }
        return call;
    }
}
