package io.aigw.adapters.messages;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/**
 * One OpenAI chat message being built from Anthropic turns. Content is a plain string when the turn
 * is a single text (what every chat provider accepts), else an array of parts.
 */
record ChatMessage(String role, String text, List<Part> parts, List<ToolCall> toolCalls, String toolCallId) {

    /** A text part ({@code url} null) or an image_url part. */
    record Part(String text, String url) {
        void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            if (url == null) {
                g.writeStringField("type", "text");
                g.writeStringField("text", text);
            } else {
                g.writeStringField("type", "image_url");
                g.writeObjectFieldStart("image_url");
                g.writeStringField("url", url);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    record ToolCall(String id, String name, String arguments) {}

    static ChatMessage system(String text) {
        return new ChatMessage("system", text, null, List.of(), null);
    }

    static ChatMessage tool(String toolCallId, String text) {
        return new ChatMessage("tool", text, null, List.of(), toolCallId);
    }

    /** User content: one text part becomes a string. */
    static ChatMessage user(List<Part> parts) {
        if (parts.size() == 1 && parts.get(0).url() == null) {
            return new ChatMessage("user", parts.get(0).text(), null, List.of(), null);
        }
        return new ChatMessage("user", null, List.copyOf(parts), List.of(), null);
    }

    /** Assistant text (null when only tool calls) and tool calls. */
    static ChatMessage assistant(String text, List<ToolCall> calls) {
        return new ChatMessage("assistant", text, null, List.copyOf(calls), null);
    }

    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", role);
        if (toolCallId != null) {
            g.writeStringField("tool_call_id", toolCallId);
        }
        if (parts != null) {
            g.writeArrayFieldStart("content");
            for (Part p : parts) {
                p.write(g);
            }
            g.writeEndArray();
        } else {
            g.writeStringField("content", text); // null for an assistant turn of tool calls only
        }
        if (!toolCalls.isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall c : toolCalls) {
                g.writeStartObject();
                g.writeStringField("id", c.id());
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", c.name());
                g.writeStringField("arguments", c.arguments());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }
}
