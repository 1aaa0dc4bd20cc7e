package io.aigw.adapters.messages;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic {@code tools} and {@code tool_choice} to chat {@code tools}, {@code tool_choice} and
 * {@code parallel_tool_calls}. Only custom tools translate: server tools (bash, web search, ...)
 * run at Anthropic and have no chat equivalent.
 */
record Tools(List<JsonNode> tools, String choice, String forcedName, boolean noParallel) {

    static Tools of(JsonNode root) {
        List<JsonNode> tools = new ArrayList<>();
        JsonNode in = root.get("tools");
        if (in != null && !in.isNull()) {
            if (!in.isArray()) {
                throw MessagesRequestTranslator.invalid("tools", "tools: must be an array.");
            }
            for (int i = 0; i < in.size(); i++) {
                JsonNode t = in.get(i);
                String type = t.path("type").asText("custom");
                if (!"custom".equals(type) || !t.has("input_schema")) {
                    throw MessagesRequestTranslator.unsupported(
                            "tools",
                            "tools." + i + ": server tools ('" + type
                                    + "') are only supported by Anthropic providers.");
                }
                if (!t.path("name").isTextual()) {
                    throw MessagesRequestTranslator.invalid("tools", "tools." + i + ".name: Field required.");
                }
                tools.add(t);
            }
        }
        JsonNode c = root.get("tool_choice");
        String choice = null;
        String name = null;
        boolean noParallel = false;
        if (c != null && c.isObject()) {
            String type = c.path("type").asText();
            switch (type) {
                case "auto":
                    choice = "auto";
                    break;
                case "any":
                    choice = "required";
                    break;
                case "none":
                    choice = "none";
                    break;
                case "tool":
                    choice = "function";
                    name = c.path("name").asText(null);
                    if (name == null) {
                        throw MessagesRequestTranslator.invalid("tool_choice", "tool_choice.name: Field required.");
                    }
                    break;
                default:
                    throw MessagesRequestTranslator.invalid(
                            "tool_choice", "tool_choice.type: must be auto, any, tool or none.");
            }
            noParallel = c.path("disable_parallel_tool_use").asBoolean(false);
        }
        return new Tools(tools, choice, name, noParallel);
    }

    /** Nothing without tools: chat providers reject tool_choice on its own. */
    void write(JsonGenerator g) throws IOException {
        if (tools.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("tools");
        for (JsonNode t : tools) {
            g.writeStartObject();
            g.writeStringField("type", "function");
            g.writeObjectFieldStart("function");
            g.writeStringField("name", t.get("name").textValue());
            JsonNode d = t.get("description");
            if (d != null && d.isTextual()) {
                g.writeStringField("description", d.textValue());
            }
            g.writeFieldName("parameters");
            g.writeTree(t.get("input_schema"));
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        if (choice != null) {
            if (forcedName != null) {
                g.writeObjectFieldStart("tool_choice");
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", forcedName);
                g.writeEndObject();
                g.writeEndObject();
            } else {
                g.writeStringField("tool_choice", choice);
            }
        }
        if (noParallel && !"none".equals(choice)) {
            g.writeBooleanField("parallel_tool_calls", false);
        }
    }
}
