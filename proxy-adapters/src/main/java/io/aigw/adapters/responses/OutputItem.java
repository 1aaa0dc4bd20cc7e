package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * One output item of a Response being built from chat: an assistant {@code message} with one
 * {@code output_text} part, or a {@code function_call}. Its id is fixed when it is created, so
 * every event about it names the same item.
 */
final class OutputItem {
    final boolean message;
    final String id;
    final int outputIndex;
    /** The message's text, or the call's arguments, as far as they arrived. */
    final StringBuilder text = new StringBuilder();

    String callId;
    String name;
    /** in_progress until the item is done; then completed or incomplete. */
    String status = "in_progress";

    private OutputItem(boolean message, String id, int outputIndex) {
        this.message = message;
        this.id = id;
        this.outputIndex = outputIndex;
    }

    static OutputItem message(String id, int outputIndex) {
        return new OutputItem(true, id, outputIndex);
    }

    static OutputItem functionCall(String id, int outputIndex, String callId, String name) {
        OutputItem item = new OutputItem(false, id, outputIndex);
        item.callId = callId;
        item.name = name;
        return item;
    }

    /** The item as output_item.done and the Response's output show it. */
    void write(JsonGenerator g) throws IOException {
        write(g, true);
    }

    /** {@code full = false}: as output_item.added shows it (no content part yet, no arguments yet). */
    void write(JsonGenerator g, boolean full) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        if (message) {
            g.writeStringField("type", "message");
            g.writeStringField("status", status);
            g.writeStringField("role", "assistant");
            g.writeArrayFieldStart("content");
            if (full) {
                writeTextPart(g, text);
            }
            g.writeEndArray();
        } else {
            g.writeStringField("type", "function_call");
            g.writeStringField("status", status);
            g.writeStringField("arguments", full ? text.toString() : "");
            g.writeStringField("call_id", callId);
            g.writeStringField("name", name);
        }
        g.writeEndObject();
    }

    /** An output_text content part (OutputTextContent: type, text, annotations, logprobs all required). */
    static void writeTextPart(JsonGenerator g, CharSequence text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "output_text");
        g.writeStringField("text", text.toString());
        g.writeArrayFieldStart("annotations");
        g.writeEndArray();
        g.writeArrayFieldStart("logprobs");
        g.writeEndArray();
        g.writeEndObject();
    }
}
