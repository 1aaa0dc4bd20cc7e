package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Responses {@code tools} and {@code tool_choice} to chat's: a function tool's fields move into a
 * nested {@code function} object. Hosted tools (web search, file search, computer use, MCP, ...)
 * run at OpenAI, so a chat provider cannot serve them: a 400.
 */
final class ChatTools {
    private final ArrayNode tools;
    private final JsonNode choice;

    private ChatTools(ArrayNode tools, JsonNode choice) {
        this.tools = tools;
        this.choice = choice;
    }

    static ChatTools of(JsonNode tools, JsonNode toolChoice) {
        ArrayNode out = null;
        if (tools != null) {
            if (!tools.isArray()) {
                throw Bad.type("tools", "tools must be an array.");
            }
            out = ResponsesJson.MAPPER.createArrayNode();
            for (int i = 0; i < tools.size(); i++) {
                out.add(tool(tools.get(i), "tools[" + i + "]"));
            }
        }
        return new ChatTools(out, choice(toolChoice));
    }

    void write(JsonGenerator g) throws IOException {
        if (tools != null && !tools.isEmpty()) {
            g.writeFieldName("tools");
            g.writeTree(tools);
        }
        if (choice != null) {
            g.writeFieldName("tool_choice");
            g.writeTree(choice);
        }
    }

    private static ObjectNode tool(JsonNode tool, String where) {
        String type = tool.isObject() ? Bad.text(tool, "type", where + ".type") : null;
        if (!"function".equals(type)) {
            throw Bad.unsupported(
                    where + ".type",
                    "Tools of type '" + type + "' need a provider with 'responses: native'; only function tools"
                            + " can be served through chat completions.");
        }
        String name = Bad.text(tool, "name", where + ".name");
        if (name == null) {
            throw Bad.missing(where + ".name");
        }
        ObjectNode out = ResponsesJson.MAPPER.createObjectNode().put("type", "function");
        ObjectNode fn = out.putObject("function").put("name", name);
        for (String f : new String[] {"description", "parameters", "strict"}) {
            JsonNode v = Bad.field(tool, f);
            if (v != null) {
                fn.set(f, v);
            }
        }
        return out;
    }

    private static JsonNode choice(JsonNode choice) {
        if (choice == null) {
            return null;
        }
        if (choice.isTextual()) {
            String c = choice.textValue();
            if (c.equals("auto") || c.equals("none") || c.equals("required")) {
                return choice;
            }
            throw Bad.value("tool_choice", "tool_choice '" + c + "' is not supported.");
        }
        if (choice.isObject() && "function".equals(choice.path("type").asText())) {
            String name = Bad.text(choice, "name", "tool_choice.name");
            if (name == null) {
                throw Bad.missing("tool_choice.name");
            }
            ObjectNode out = ResponsesJson.MAPPER.createObjectNode().put("type", "function");
            out.putObject("function").put("name", name);
            return out;
        }
        throw Bad.unsupported(
                "tool_choice",
                "This tool_choice needs a provider with 'responses: native'; use auto, none,"
                        + " required or a function.");
    }
}
