package io.aigw.adapters.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** OpenAI {@code tools}, {@code tool_choice}, {@code parallel_tool_calls}, {@code response_format}. */
final class ToolMapper {
    /** The synthetic tool a json_schema response format becomes; the response side looks for this name. */
    static final String JSON_SCHEMA_TOOL = "json_schema_output";

    static final String JSON_SCHEMA_DESCRIPTION = "Respond with JSON matching this schema.";

    /** OpenAI string choices to Anthropic choice types: translation as data. */
    private static final Map<String, String> CHOICES = Map.of("auto", "auto", "none", "none", "required", "any");

    record Tool(String name, String description, JsonNode inputSchema) {}

    /** An Anthropic tool_choice; {@code name} only for type tool. */
    record Choice(String type, String name, boolean disableParallel) {}

    /** Empty tools and a null choice mean neither key is written. */
    record Plan(List<Tool> tools, Choice choice, boolean jsonSchemaTool) {
        void write(JsonGenerator g) throws IOException {
            if (tools.isEmpty()) {
                return;
            }
            g.writeArrayFieldStart("tools");
            for (Tool t : tools) {
                g.writeStartObject();
                g.writeStringField("name", t.name());
                if (t.description() != null) {
                    g.writeStringField("description", t.description());
                }
                g.writeFieldName("input_schema");
                g.writeTree(t.inputSchema());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (choice != null) {
                g.writeObjectFieldStart("tool_choice");
                g.writeStringField("type", choice.type());
                if (choice.name() != null) {
                    g.writeStringField("name", choice.name());
                }
                if (choice.disableParallel()) {
                    g.writeBooleanField("disable_parallel_tool_use", true);
                }
                g.writeEndObject();
            }
        }
    }

    private ToolMapper() {}

    static Plan plan(JsonNode root, ObjectMapper mapper) {
        List<Tool> tools = tools(Invalid.field(root, "tools"), mapper);
        Choice choice = choice(Invalid.field(root, "tool_choice"));
        boolean jsonSchema = false;
        JsonNode schema = jsonSchema(Invalid.field(root, "response_format"), mapper);
        if (schema != null) {
            // Claude has no structured-output mode; forcing a tool whose input is the schema is the
            // established workaround, and the response side turns that tool call back into content.
            tools.add(new Tool(JSON_SCHEMA_TOOL, JSON_SCHEMA_DESCRIPTION, schema));
            choice = new Choice("tool", JSON_SCHEMA_TOOL, false);
            jsonSchema = true;
        }
        JsonNode parallel = Invalid.field(root, "parallel_tool_calls");
        if (parallel != null && !parallel.isBoolean()) {
            throw Invalid.type("parallel_tool_calls", "parallel_tool_calls must be a boolean.");
        }
        if (parallel != null && !parallel.booleanValue() && !tools.isEmpty()) {
            // Anthropic hangs this flag on tool_choice; "none" cannot call tools at all, so skip it.
            if (choice == null) {
                choice = new Choice("auto", null, true);
            } else if (!choice.type().equals("none")) {
                choice = new Choice(choice.type(), choice.name(), true);
            }
        }
        // tool_choice without tools is meaningless to Anthropic (and rejected), so it goes with them.
        return new Plan(tools, tools.isEmpty() ? null : choice, jsonSchema);
    }

    private static List<Tool> tools(JsonNode tools, ObjectMapper mapper) {
        List<Tool> out = new ArrayList<>();
        if (tools == null) {
            return out;
        }
        if (!tools.isArray()) {
            throw Invalid.type("tools", "tools must be an array.");
        }
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String at = "tools[" + i + "]";
            if (!tool.isObject()) {
                throw Invalid.type("tools", at + " must be an object.");
            }
            String type = Invalid.text(tool, "type", "tools", at);
            if (type != null && !type.equals("function")) {
                throw Invalid.unsupported("tools", at + ".type '" + type + "' is not supported for this model.");
            }
            JsonNode fn = Invalid.field(tool, "function");
            String name = fn != null && fn.isObject() ? Invalid.text(fn, "name", "tools", at + ".function") : null;
            if (name == null) {
                throw Invalid.value("tools", at + ".function.name is required.");
            }
            String description = Invalid.text(fn, "description", "tools", at + ".function");
            JsonNode parameters = Invalid.field(fn, "parameters");
            if (parameters != null && !parameters.isObject()) {
                throw Invalid.type("tools", at + ".function.parameters must be a JSON Schema object.");
            }
            // Omitted parameters mean "no arguments" in OpenAI; Anthropic requires an object schema.
            out.add(new Tool(name, description, parameters != null ? parameters : emptyObjectSchema(mapper)));
        }
        return out;
    }

    private static Choice choice(JsonNode choice) {
        if (choice == null) {
            return null;
        }
        if (choice.isTextual()) {
            String type = CHOICES.get(choice.textValue());
            if (type == null) {
                throw Invalid.value("tool_choice", "tool_choice must be 'auto', 'none', 'required' or a function.");
            }
            return new Choice(type, null, false);
        }
        if (choice.isObject() && "function".equals(Invalid.text(choice, "type", "tool_choice", "tool_choice"))) {
            JsonNode fn = Invalid.field(choice, "function");
            String name = fn != null && fn.isObject()
                    ? Invalid.text(fn, "name", "tool_choice", "tool_choice.function")
                    : null;
            if (name == null) {
                throw Invalid.value("tool_choice", "tool_choice.function.name is required.");
            }
            return new Choice("tool", name, false);
        }
        if (choice.isObject()) {
            // allowed_tools and custom choices have no Anthropic equivalent.
            throw Invalid.unsupported("tool_choice", "This tool_choice is not supported for this model.");
        }
        throw Invalid.type("tool_choice", "tool_choice must be a string or an object.");
    }

    /** The schema to force, or null when the format needs no tool (text, json_object). */
    private static JsonNode jsonSchema(JsonNode format, ObjectMapper mapper) {
        if (format == null) {
            return null;
        }
        String type = format.isObject() ? Invalid.text(format, "type", "response_format", "response_format") : null;
        if (type == null) {
            throw Invalid.value("response_format", "response_format.type is required.");
        }
        switch (type) {
            case "text":
            case "json_object":
                return null; // text is the default; json_object is best-effort on Claude and dropped by policy
            case "json_schema": {
                JsonNode spec = Invalid.field(format, "json_schema");
                if (spec == null || !spec.isObject()) {
                    throw Invalid.value("response_format", "response_format.json_schema is required.");
                }
                JsonNode schema = Invalid.field(spec, "schema");
                if (schema == null) {
                    // OpenAI allows omitting the schema: any object will do.
                    ObjectNode any = mapper.createObjectNode();
                    any.put("type", "object");
                    any.put("additionalProperties", true);
                    return any;
                }
                if (!schema.isObject()) {
                    throw Invalid.type("response_format", "response_format.json_schema.schema must be an object.");
                }
                return schema;
            }
            default:
                throw Invalid.value("response_format", "response_format.type '" + type + "' is not supported.");
        }
    }

    private static ObjectNode emptyObjectSchema(ObjectMapper mapper) {
        ObjectNode schema = mapper.createObjectNode();
        schema.put("type", "object");
        schema.putObject("properties");
        return schema;
    }
}
