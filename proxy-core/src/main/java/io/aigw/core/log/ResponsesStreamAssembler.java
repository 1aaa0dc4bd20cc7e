package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Adds up an OpenAI Responses stream ({@code /v1/responses}) to the log's message, the same shape
 * as a chat stream's (see {@link SseAssembler}), from the events' JSON {@code type} (the SSE event
 * name repeats it):
 * <ul>
 *   <li>{@code response.output_text.delta} pieces are the content;
 *   <li>a {@code function_call} item ({@code response.output_item.added}) is a tool call: its id is the
 *       item's {@code call_id} (what the client answers with), its arguments the
 *       {@code response.function_call_arguments.delta} pieces joined; {@code output_index} joins them;
 *   <li>the final event ({@code response.completed}, {@code .incomplete} or {@code .failed}) gives the
 *       usage (the response's own object) and the finish reason in OpenAI chat's words:
 *       {@code stop}, {@code tool_calls} when the answer called a function, {@code length} for
 *       {@code incomplete_details.reason: max_output_tokens}, {@code content_filter}; a failed
 *       response's {@code error} is the error;
 *   <li>an {@code error} event's {@code code}, {@code message} and {@code param} are the error.
 * </ul>
 * The final event repeats the whole output, which is skipped unread: the deltas already hold it, and
 * they are what a stream cut by the capture limit still has. Every other event is left out.
 *
 * <p>One per stream, on the writer thread.
 */
final class ResponsesStreamAssembler implements SseEventReader.Listener {
    private final StreamedMessage message;
    private boolean calledFunction;

    ResponsesStreamAssembler(StreamedMessage message) {
        this.message = message;
    }

    @Override
    public void onEvent(String event, byte[] data, int offset, int length) {
        if (length == 0) {
            return;
        }
        try (JsonParser p = LogJson.FACTORY.createParser(data, offset, length)) {
            read(p);
        } catch (IOException cutOrForeign) {
            if ("error".equals(event)) {
                message.error(SseAssembler.errorOf(data, offset, length)); // kept as text
            }
        }
    }

    private void read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return;
        }
        String type = null;
        int outputIndex = 0;
        String delta = null;
        Item item = null;
        Final response = null;
        ObjectNode error = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "type" -> type = EventFields.text(p, t);
                case "output_index" -> outputIndex = EventFields.integer(p, t, 0);
                case "delta" -> delta = EventFields.text(p, t);
                case "item" -> item = Item.read(p, t);
                case "response" -> response = Final.read(p, t);
                // an error event's own fields; its type and sequence_number say nothing more
                case "code", "message", "param" -> {
                    if (error == null) {
                        error = LogJson.MAPPER.createObjectNode();
                    }
                    error.set(field, p.readValueAsTree());
                }
                default -> p.skipChildren();
            }
        }
        if (type == null) {
            return;
        }
        StreamedChoice choice = message.choice(0);
        switch (type) {
            case "response.output_text.delta" -> {
                if (delta != null) {
                    choice.appendContent(delta);
                }
            }
            case "response.output_item.added" -> {
                if (item != null && "function_call".equals(item.type)) {
                    calledFunction = true;
                    String args = item.arguments == null || item.arguments.isEmpty() ? null : item.arguments;
                    choice.toolCallDelta(outputIndex, item.callId, "function", item.name, args);
                }
            }
            case "response.function_call_arguments.delta" -> {
                if (delta != null) {
                    choice.toolCallDelta(outputIndex, null, null, null, delta);
                }
            }
            case "response.completed", "response.incomplete", "response.failed" -> finish(choice, response);
            case "error" -> {
                if (error != null) {
                    message.error(error);
                }
            }
            default -> {
                // created, in_progress, the .done and .added events that repeat what the deltas held, ...
            }
        }
    }

    private void finish(StreamedChoice choice, Final response) {
        if (response == null) {
            return;
        }
        if (response.usage != null) {
            message.usage(response.usage);
        }
        if (response.error != null) {
            message.error(response.error);
        }
        if ("completed".equals(response.status)) {
            choice.finishReason(calledFunction ? "tool_calls" : "stop");
        } else if ("incomplete".equals(response.status)) {
            String reason = response.incompleteReason;
            choice.finishReason(
                    reason == null || reason.equals("max_output_tokens")
                            ? "length"
                            : reason); // content_filter is the same word in both APIs
        }
    }

    /** The fields of an output item this reads (a function call's). */
    private static final class Item {
        String type;
        String callId;
        String name;
        String arguments;

        static Item read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            Item item = new Item();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "type" -> item.type = EventFields.text(p, v);
                    case "call_id" -> item.callId = EventFields.text(p, v);
                    case "name" -> item.name = EventFields.text(p, v);
                    case "arguments" -> item.arguments = EventFields.text(p, v);
                    default -> p.skipChildren();
                }
            }
            return item;
        }
    }

    /** What the final event's {@code response} says of the whole: its status, usage and error. */
    private static final class Final {
        String status;
        String incompleteReason;
        JsonNode usage;
        JsonNode error;

        static Final read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            Final f = new Final();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "status" -> f.status = EventFields.text(p, v);
                    case "usage" -> f.usage = EventFields.object(p, v);
                    case "error" -> f.error = EventFields.object(p, v);
                    case "incomplete_details" -> {
                        JsonNode details = EventFields.object(p, v);
                        JsonNode reason = details == null ? null : details.get("reason");
                        f.incompleteReason = reason != null && reason.isTextual() ? reason.asText() : null;
                    }
                    default -> p.skipChildren(); // output: the whole answer again
                }
            }
            return f;
        }
    }
}
