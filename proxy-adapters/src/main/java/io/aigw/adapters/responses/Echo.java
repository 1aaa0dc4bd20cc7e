package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The request fields a Response object repeats back (all of them required keys of {@code Response},
 * so each is written, as an explicit null when the client did not send it). Read once from the
 * client's request by {@link ResponsesRequestTranslator}; written into every Response object the
 * answer or the stream carries. Nodes are never modified.
 *
 * @param model the client's model name (the answer's own model wins when it reports one)
 */
public record Echo(
        String model,
        JsonNode instructions,
        JsonNode maxOutputTokens,
        boolean parallelToolCalls,
        JsonNode reasoning,
        JsonNode temperature,
        JsonNode text,
        JsonNode toolChoice,
        JsonNode tools,
        JsonNode topP,
        JsonNode user,
        JsonNode metadata) {

    /** What a request with nothing but a model echoes: the documented defaults. */
    public static Echo of(String model) {
        return new Echo(model, null, null, true, null, null, null, null, null, null, null, null);
    }

    /**
     * Writes a whole Response object: {@code status} (completed, incomplete, in_progress, failed),
     * {@code incompleteReason} (or null), the output items, and usage (null before it is known).
     */
    void writeResponse(
            JsonGenerator g,
            String id,
            long createdAt,
            String status,
            String incompleteReason,
            String answerModel,
            Iterable<OutputItem> output,
            Tokens usage)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "response");
        g.writeNumberField("created_at", createdAt);
        g.writeStringField("status", status);
        g.writeNullField("error");
        if (incompleteReason == null) {
            g.writeNullField("incomplete_details");
        } else {
            g.writeObjectFieldStart("incomplete_details");
            g.writeStringField("reason", incompleteReason);
            g.writeEndObject();
        }
        tree(g, "instructions", instructions);
        tree(g, "max_output_tokens", maxOutputTokens);
        g.writeStringField("model", answerModel != null && !answerModel.isEmpty() ? answerModel : model);
        g.writeArrayFieldStart("output");
        for (OutputItem item : output) {
            item.write(g);
        }
        g.writeEndArray();
        g.writeBooleanField("parallel_tool_calls", parallelToolCalls);
        g.writeNullField("previous_response_id");
        tree(g, "reasoning", reasoning);
        g.writeBooleanField("store", false);
        tree(g, "temperature", temperature);
        if (text != null) {
            tree(g, "text", text);
        } else {
            g.writeObjectFieldStart("text");
            g.writeObjectFieldStart("format");
            g.writeStringField("type", "text");
            g.writeEndObject();
            g.writeEndObject();
        }
        if (toolChoice != null) {
            tree(g, "tool_choice", toolChoice);
        } else {
            g.writeStringField("tool_choice", "auto");
        }
        if (tools != null) {
            tree(g, "tools", tools);
        } else {
            g.writeArrayFieldStart("tools");
            g.writeEndArray();
        }
        tree(g, "top_p", topP);
        g.writeStringField("truncation", "disabled");
        if (usage == null) {
            g.writeNullField("usage");
        } else {
            usage.write(g);
        }
        tree(g, "user", user);
        if (metadata != null) {
            tree(g, "metadata", metadata);
        } else {
            g.writeObjectFieldStart("metadata");
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void tree(JsonGenerator g, String name, JsonNode value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeFieldName(name);
            g.writeTree(value);
        }
    }
}
