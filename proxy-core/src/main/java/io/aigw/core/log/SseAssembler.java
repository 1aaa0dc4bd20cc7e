package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns the SSE bytes a client was sent for a streamed answer back into one message for the log;
 * for a chat or legacy completion:
 * <pre>{"content": "...", "tool_calls": [...], "finish_reason": "stop", "usage": {...}, "error": {...}, "truncated": true}</pre>
 * {@code tool_calls} only when there were some, {@code usage} when a chunk carried it, {@code error}
 * when an error ended the stream (a data event holding {@code error}, or an event named
 * {@code error}), {@code truncated} when the capture limit cut the bytes (the message is then made of
 * what is there). With choices other than index 0 ({@code n > 1}) the per-choice fields go into
 * {@code "choices": [{"index": 0, ...}, ...]} instead. Every string that came from the stream is
 * redacted. Data that is not a JSON chunk ({@code [DONE]}, a cut last event) is left out.
 *
 * <p>Thread-safe: state lives per call.
 */
public final class SseAssembler {
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

    private final JsonRedaction json;

    public SseAssembler(JsonRedaction json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /** The assembled message of a chat or legacy completion stream, as JSON text. */
    public String assemble(byte[] sse, boolean truncated) {
        return assemble(sse, truncated, null);
    }

    /**
     * The assembled message as JSON text, of a stream in the events of {@code clientApi} (its wire
     * name): {@code anthropic} (Messages, see {@link AnthropicStreamAssembler}), {@code responses}
     * (see {@link ResponsesStreamAssembler}), else OpenAI chat or legacy completions. Every client
     * API's stream is logged in the same shape, so a query over the log need not know which it was.
     */
    public String assemble(byte[] sse, boolean truncated, String clientApi) {
        StreamedMessage message = new StreamedMessage();
        SseEventReader.Listener listener;
        if ("anthropic".equals(clientApi)) {
            listener = new AnthropicStreamAssembler(message);
        } else if ("responses".equals(clientApi)) {
            listener = new ResponsesStreamAssembler(message);
        } else {
            listener = (event, data, offset, length) -> onEvent(message, event, data, offset, length);
        }
        SseEventReader.read(sse, listener);
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = LogJson.generator(out)) {
            message.write(g, json, truncated);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void onEvent(StreamedMessage message, String event, byte[] data, int offset, int length) {
        if ("error".equals(event)) {
            message.error(errorOf(data, offset, length));
            return;
        }
        if (length == 0 || isDone(data, offset, length)) {
            return;
        }
        try (JsonParser p = LogJson.FACTORY.createParser(data, offset, length)) {
            StreamChunkReader.read(p, message);
        } catch (IOException cutOrForeign) {
            // A chunk cut by the capture limit, or not JSON: what it held whole is kept, the rest is lost.
        }
    }

    /** An error event's data: its {@code error} member, else the whole JSON, else the text. */
    static JsonNode errorOf(byte[] data, int offset, int length) {
        try {
            JsonNode node = LogJson.MAPPER.readTree(data, offset, length);
            JsonNode inner = node == null ? null : node.get("error");
            if (inner != null && !inner.isNull()) {
                return inner;
            }
            if (node != null && !node.isMissingNode()) {
                return node;
            }
        } catch (IOException notJson) {
            // kept as text below
        }
        return TextNode.valueOf(new String(data, offset, length, StandardCharsets.UTF_8));
    }

    /** {@code [DONE]}, white space around it aside. */
    private static boolean isDone(byte[] data, int offset, int length) {
        int from = offset;
        int to = offset + length;
        while (from < to && data[from] <= ' ') {
            from++;
        }
        while (to > from && data[to - 1] <= ' ') {
            to--;
        }
        return Arrays.equals(data, from, to, DONE, 0, DONE.length);
    }
}
