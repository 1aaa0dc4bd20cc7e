package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds up an Anthropic Messages stream ({@code /v1/messages}) to the log's message, the same shape
 * as a chat stream's (see {@link SseAssembler}):
 * <ul>
 *   <li>{@code text_delta} pieces (and a text block's initial text) are the content;
 *   <li>each {@code tool_use} block is a tool call: its id and name from {@code content_block_start},
 *       its arguments the {@code input_json_delta} fragments joined (the start block's {@code input},
 *       usually {@code {}}, when no fragment came);
 *   <li>{@code message_delta}'s {@code stop_reason} is the finish reason, in OpenAI's words (as
 *       the exchange's finish reason is), so one query over the log finds every client API's
 *       {@code length};
 *   <li>usage is Anthropic's own object: {@code message_start}'s, overwritten field by field by each
 *       {@code message_delta}'s (its figures are cumulative; a null there changes nothing);
 *   <li>an {@code error} event's {@code error} ({@code type}, {@code message}) is the error.
 * </ul>
 * Thinking blocks, signatures, pings and unknown events are left out. Block indexes order the tool
 * calls; they count text blocks too, which does not matter since only their order is written.
 *
 * <p>One per stream, on the writer thread.
 */
final class AnthropicStreamAssembler implements SseEventReader.Listener {
    private final StreamedMessage message;
    private ObjectNode usage;
    /** A tool block's start input, by block index, until its first fragment (or its stop) arrives. */
    private final Map<Integer, String> startInput = new TreeMap<>();

    AnthropicStreamAssembler(StreamedMessage message) {
        this.message = message;
    }

    @Override
    public void onEvent(String event, byte[] data, int offset, int length) {
        if ("error".equals(event)) {
            message.error(SseAssembler.errorOf(data, offset, length));
            return;
        }
        if (length == 0) {
            return;
        }
        try (JsonParser p = LogJson.FACTORY.createParser(data, offset, length)) {
            read(p);
        } catch (IOException cutOrForeign) {
            // An event cut by the capture limit, or not JSON: it adds nothing.
        }
    }

    /** One event, read whole before it is applied (its fields may come in any order). */
    private void read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return;
        }
        String type = null;
        int index = -1;
        Delta delta = null;
        JsonNode block = null;
        JsonNode eventUsage = null;
        JsonNode error = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "type" -> type = EventFields.text(p, t);
                case "index" -> index = EventFields.integer(p, t, -1);
                case "delta" -> delta = Delta.read(p, t);
                case "content_block" -> block = EventFields.object(p, t);
                case "usage" -> eventUsage = EventFields.object(p, t);
                case "message" -> eventUsage = messageUsage(p, t);
                case "error" -> error = t == JsonToken.VALUE_NULL ? null : p.readValueAsTree();
                default -> p.skipChildren();
            }
        }
        if (type == null) {
            return;
        }
        StreamedChoice choice = message.choice(0);
        switch (type) {
            case "message_start" -> mergeUsage(eventUsage);
            case "content_block_start" -> blockStart(choice, index, block);
            case "content_block_delta" -> blockDelta(choice, index, delta);
            case "content_block_stop" -> unfinishedInput(choice, index);
            case "message_delta" -> {
                if (delta != null && delta.stopReason != null) {
                    choice.finishReason(openAiReason(delta.stopReason));
                }
                mergeUsage(eventUsage);
            }
            case "error" -> {
                if (error != null) {
                    message.error(error);
                }
            }
            default -> {
                // message_stop, ping, and events added after this was written
            }
        }
    }

    private void blockStart(StreamedChoice choice, int index, JsonNode block) {
        if (block == null) {
            return;
        }
        String blockType = block.path("type").asText("");
        if (blockType.equals("text") && !block.path("text").asText("").isEmpty()) {
            choice.appendContent(block.get("text").asText());
        } else if (blockType.equals("tool_use")) {
            JsonNode input = block.get("input");
            choice.toolCallDelta(index, textOrNull(block, "id"), "function", textOrNull(block, "name"), null);
            startInput.put(index, input == null || input.isNull() ? "{}" : input.toString());
        }
    }

    private void blockDelta(StreamedChoice choice, int index, Delta delta) {
        if (delta == null || delta.type == null) {
            return;
        }
        if (delta.type.equals("text_delta") && delta.text != null) {
            choice.appendContent(delta.text);
        } else if (delta.type.equals("input_json_delta") && delta.partialJson != null) {
            startInput.remove(index);
            choice.toolCallDelta(index, null, null, null, delta.partialJson);
        }
    }

    /** A tool block that ends without a fragment: its arguments are the input it started with. */
    private void unfinishedInput(StreamedChoice choice, int index) {
        String input = startInput.remove(index);
        if (input != null) {
            choice.toolCallDelta(index, null, null, null, input);
        }
    }

    private void mergeUsage(JsonNode figures) {
        if (figures == null) {
            return;
        }
        if (usage == null) {
            usage = LogJson.MAPPER.createObjectNode();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = figures.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNull()) {
                usage.set(e.getKey(), e.getValue());
            }
        }
        message.usage(usage);
    }

    /** {@code message_start}'s {@code message.usage}; the rest of the message (empty content) is skipped. */
    private static JsonNode messageUsage(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        JsonNode found = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals("usage")) {
                found = EventFields.object(p, v);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    /**
     * Anthropic's {@code stop_reason} in OpenAI's words (PROTOCOLS.md §4.5); one this does not know
     * is kept as it came rather than guessed.
     */
    static String openAiReason(String stopReason) {
        return switch (stopReason) {
            case "end_turn", "stop_sequence", "pause_turn" -> "stop";
            case "max_tokens", "compaction" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> stopReason;
        };
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** The fields of a {@code delta} this reads: a content block's or {@code message_delta}'s. */
    private static final class Delta {
        String type;
        String text;
        String partialJson;
        String stopReason;

        static Delta read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            Delta d = new Delta();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "type" -> d.type = EventFields.text(p, v);
                    case "text" -> d.text = EventFields.text(p, v);
                    case "partial_json" -> d.partialJson = EventFields.text(p, v);
                    case "stop_reason" -> d.stopReason = EventFields.text(p, v);
                    default -> p.skipChildren();
                }
            }
            return d;
        }
    }
}
