package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One choice of a streamed answer, put back together from its chunks' deltas: the content pieces
 * (chat {@code delta.content} or legacy {@code text}) joined, the tool calls joined by their index,
 * the last finish reason.
 */
final class StreamedChoice {
    private StringBuilder content; // null until a chunk carried content, so "no content" stays null
    private String finishReason;
    /** By order of appearance. */
    private final TreeMap<Integer, ToolCall> toolCalls = new TreeMap<>();
    /** A delta's {@code index} to the key of the latest call that came with it; null until one does. */
    private Map<Integer, Integer> byIndex;

    /** One tool call; its arguments arrive in pieces across deltas. */
    private static final class ToolCall {
        String id;
        String type;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    void appendContent(String piece) {
        if (content == null) {
            content = new StringBuilder(Math.max(16, piece.length() * 8));
        }
        content.append(piece);
    }

    void finishReason(String reason) {
        finishReason = reason;
    }

    /**
     * A tool-call delta. The index joins the pieces, except that another id under an index already
     * used is another call (Ollama sends every whole call at index 0); a provider that leaves the
     * index out gets one by id (a new id is a new call), else the pieces go to the latest call.
     */
    void toolCallDelta(Integer index, String id, String type, String name, String arguments) {
        int at = index != null ? keyOf(index, id) : indexFor(id);
        ToolCall call = toolCalls.computeIfAbsent(at, k -> new ToolCall());
        if (id != null && !id.isEmpty() && call.id == null) {
            call.id = id;
        }
        if (type != null && call.type == null) {
            call.type = type;
        }
        // OpenAI sends the name once; some servers repeat it in every delta, a few split it.
        if (name != null && !name.isEmpty() && !name.equals(call.name)) {
            call.name = call.name == null ? name : call.name + name;
        }
        if (arguments != null) {
            call.arguments.append(arguments);
        }
    }

    private int keyOf(int index, String id) {
        if (byIndex == null) {
            byIndex = new HashMap<>(4);
        }
        Integer key = byIndex.get(index);
        if (key != null) {
            String known = toolCalls.get(key).id;
            if (id == null || id.isEmpty() || known == null || known.equals(id)) {
                return key;
            }
        }
        int fresh = toolCalls.isEmpty() ? 0 : toolCalls.lastKey() + 1;
        byIndex.put(index, fresh);
        return fresh;
    }

    private int indexFor(String id) {
        if (toolCalls.isEmpty()) {
            return 0;
        }
        if (id != null && !id.isEmpty()) {
            for (Map.Entry<Integer, ToolCall> e : toolCalls.entrySet()) {
                if (id.equals(e.getValue().id)) {
                    return e.getKey();
                }
            }
            return toolCalls.lastKey() + 1;
        }
        return toolCalls.lastKey();
    }

    /** Writes the fields {@code content}, {@code tool_calls} (when any) and {@code finish_reason}. */
    void writeFields(JsonGenerator g, Redactor redactor) throws IOException {
        if (content == null) {
            g.writeNullField("content");
        } else {
            g.writeStringField("content", redactor.redact(content.toString()));
        }
        if (!toolCalls.isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall call : toolCalls.values()) {
                g.writeStartObject();
                writeNullable(g, "id", redactor.redact(call.id));
                g.writeStringField("type", call.type == null ? "function" : call.type);
                g.writeObjectFieldStart("function");
                writeNullable(g, "name", redactor.redact(call.name));
                g.writeStringField("arguments", redactor.redact(call.arguments.toString()));
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        writeNullable(g, "finish_reason", finishReason);
    }

    private static void writeNullable(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }
}
