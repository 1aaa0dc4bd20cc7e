package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code instructions} and {@code input} to chat {@code messages}: instructions become the first
 * system message; message items keep their role (developer becomes system, which every chat
 * provider accepts); function_call items join the assistant turn before them as {@code tool_calls};
 * function_call_output items become {@code tool} messages; reasoning items are dropped (a chat
 * provider cannot take them back). Items that only a stateful provider understands are a 400.
 */
final class ChatMessages {
    private final List<ObjectNode> messages = new ArrayList<>();

    private ChatMessages() {}

    static ChatMessages of(JsonNode instructions, JsonNode input) {
        ChatMessages m = new ChatMessages();
        if (instructions != null) {
            if (!instructions.isTextual()) {
                throw Bad.type("instructions", "instructions must be a string.");
            }
            m.add("system").put("content", instructions.textValue());
        }
        if (input == null) {
            throw Bad.missing("input");
        }
        if (input.isTextual()) {
            m.add("user").put("content", input.textValue());
        } else if (input.isArray()) {
            for (int i = 0; i < input.size(); i++) {
                m.item(input.get(i), "input[" + i + "]");
            }
        } else {
            throw Bad.type("input", "input must be a string or an array of input items.");
        }
        if (m.messages.isEmpty() || (instructions != null && m.messages.size() == 1)) {
            throw Bad.value("input", "input must contain at least one message.");
        }
        return m;
    }

    void write(JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("messages");
        for (ObjectNode message : messages) {
            g.writeTree(message);
        }
        g.writeEndArray();
    }

    private ObjectNode add(String role) {
        ObjectNode m = ResponsesJson.MAPPER.createObjectNode().put("role", role);
        messages.add(m);
        return m;
    }

    private void item(JsonNode item, String where) {
        if (item == null || !item.isObject()) {
            throw Bad.type(where, where + " must be an object.");
        }
        String type = Bad.text(item, "type", where + ".type");
        if (type == null || type.equals("message")) {
            message(item, where);
            return;
        }
        switch (type) {
            case "function_call" -> functionCall(item, where);
            case "function_call_output" -> functionOutput(item, where);
            case "reasoning" -> {} // the provider's own chain of thought; a chat provider cannot take it back
            default ->
                throw Bad.unsupported(
                        where + ".type",
                        "Input items of type '" + type + "' need a provider with 'responses: native'.");
        }
    }

    private void message(JsonNode item, String where) {
        String role = Bad.text(item, "role", where + ".role");
        if (role == null) {
            throw Bad.missing(where + ".role");
        }
        JsonNode content = Bad.field(item, "content");
        if (content == null) {
            throw Bad.missing(where + ".content");
        }
        switch (role) {
            case "user" -> userContent(add("user"), content, where);
            case "system", "developer" -> add("system").put("content", joinedText(content, where));
            case "assistant" -> add("assistant").put("content", joinedText(content, where));
            default -> throw Bad.value(where + ".role", "role '" + role + "' is not supported.");
        }
    }

    /** A single text part stays a plain string; anything richer becomes chat content parts. */
    private static void userContent(ObjectNode message, JsonNode content, String where) {
        if (content.isTextual()) {
            message.put("content", content.textValue());
            return;
        }
        if (!content.isArray()) {
            throw Bad.type(where + ".content", where + ".content must be a string or an array.");
        }
        if (content.size() == 1 && isText(content.get(0))) {
            message.put("content", content.get(0).path("text").asText());
            return;
        }
        ArrayNode parts = message.putArray("content");
        for (int i = 0; i < content.size(); i++) {
            parts.add(userPart(content.get(i), where + ".content[" + i + "]"));
        }
    }

    private static ObjectNode userPart(JsonNode part, String where) {
        String type = part.isObject() ? Bad.text(part, "type", where + ".type") : null;
        if (type == null) {
            throw Bad.missing(where + ".type");
        }
        ObjectNode out = ResponsesJson.MAPPER.createObjectNode();
        switch (type) {
            case "input_text", "output_text" -> out.put("type", "text").put("text", requiredText(part, "text", where));
            case "input_image" -> {
                String url = Bad.text(part, "image_url", where + ".image_url");
                if (url == null) {
                    throw Bad.unsupported(
                            where + ".file_id", "Images by file_id need a provider with 'responses: native'.");
                }
                ObjectNode image =
                        out.put("type", "image_url").putObject("image_url").put("url", url);
                String detail = Bad.text(part, "detail", where + ".detail");
                if (detail != null) {
                    image.put("detail", detail);
                }
            }
            case "input_file" -> {
                String data = Bad.text(part, "file_data", where + ".file_data");
                String fileId = Bad.text(part, "file_id", where + ".file_id");
                if (data == null && fileId == null) {
                    throw Bad.unsupported(
                            where + ".file_url", "Files by URL need a provider with 'responses: native'.");
                }
                ObjectNode file = out.put("type", "file").putObject("file");
                if (data != null) {
                    file.put("file_data", data);
                }
                if (fileId != null) {
                    file.put("file_id", fileId);
                }
                String name = Bad.text(part, "filename", where + ".filename");
                if (name != null) {
                    file.put("filename", name);
                }
            }
            default ->
                throw Bad.unsupported(where + ".type", "Content parts of type '" + type + "' are not supported.");
        }
        return out;
    }

    /** System and assistant turns: text parts (input_text, output_text, refusal) joined into one string. */
    private static String joinedText(JsonNode content, String where) {
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw Bad.type(where + ".content", where + ".content must be a string or an array.");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String at = where + ".content[" + i + "]";
            if (isText(part)) {
                text.append(requiredText(part, "text", at));
            } else if (part.isObject() && "refusal".equals(part.path("type").asText())) {
                text.append(requiredText(part, "refusal", at));
            } else {
                throw Bad.unsupported(at + ".type", "Only text parts are supported in this message.");
            }
        }
        return text.toString();
    }

    private static boolean isText(JsonNode part) {
        if (part == null || !part.isObject()) {
            return false;
        }
        String type = part.path("type").asText();
        return type.equals("input_text") || type.equals("output_text");
    }

    private static String requiredText(JsonNode object, String name, String where) {
        String s = Bad.text(object, name, where + "." + name);
        if (s == null) {
            throw Bad.missing(where + "." + name);
        }
        return s;
    }

    /** Joins the assistant turn just before it, or starts one: chat has calls inside assistant messages. */
    private void functionCall(JsonNode item, String where) {
        ObjectNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        ObjectNode assistant;
        if (last != null && "assistant".equals(last.path("role").asText())) {
            assistant = last;
        } else {
            assistant = add("assistant");
            assistant.putNull("content");
        }
        ArrayNode calls = assistant.has("tool_calls")
                ? (ArrayNode) assistant.get("tool_calls")
                : assistant.putArray("tool_calls");
        ObjectNode call = calls.addObject();
        call.put("id", requiredText(item, "call_id", where));
        call.put("type", "function");
        call.putObject("function")
                .put("name", requiredText(item, "name", where))
                .put("arguments", requiredText(item, "arguments", where));
    }

    private void functionOutput(JsonNode item, String where) {
        String callId = requiredText(item, "call_id", where);
        JsonNode output = Bad.field(item, "output");
        if (output == null) {
            throw Bad.missing(where + ".output");
        }
        add("tool").put("tool_call_id", callId).put("content", joinedText(output, where + ".output"));
    }
}
