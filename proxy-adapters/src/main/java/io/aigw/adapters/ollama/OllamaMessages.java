package io.aigw.adapters.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI {@code messages} → Ollama {@code messages}. Ollama's content is a plain string, so text
 * parts are concatenated (as OpenAI itself reads them) and images move to {@code images} as bare
 * base64; assistant tool-call arguments become JSON objects; a tool reply also names its tool
 * ({@code tool_name}), found from the assistant call it answers, because that is how Ollama's
 * chat templates attribute results.
 */
final class OllamaMessages {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OllamaMessages() {}

    static ArrayNode convert(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalid("messages must be a non-empty array.");
        }
        ArrayNode out = NODES.arrayNode(messages.size());
        Map<String, String> toolNames = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw invalid(at + " must be an object.");
            }
            String role = m.path("role").asText("");
            ObjectNode o = NODES.objectNode();
            switch (role) {
                case "system", "developer", "user" -> {
                    // Ollama knows no developer role; it is the newer name for system.
                    o.put("role", role.equals("user") ? "user" : "system");
                    content(m.get("content"), at, o, role.equals("user"));
                }
                case "assistant" -> {
                    o.put("role", "assistant");
                    content(m.get("content"), at, o, false);
                    toolCalls(m.get("tool_calls"), at, o, toolNames);
                }
                case "tool" -> {
                    o.put("role", "tool");
                    content(m.get("content"), at, o, false);
                    String name = toolNames.get(m.path("tool_call_id").asText(""));
                    if (name != null) {
                        o.put("tool_name", name);
                    }
                }
                default -> throw invalid(at + ".role must be one of system, developer, user, assistant, tool.");
            }
            out.add(o);
        }
        return out;
    }

    /** Sets {@code content} (always a string) and, for user turns, {@code images}. */
    private static void content(JsonNode content, String at, ObjectNode o, boolean imagesAllowed) {
        if (content == null || content.isNull()) {
            o.put("content", "");
            return;
        }
        if (content.isTextual()) {
            o.put("content", content.textValue());
            return;
        }
        if (!content.isArray()) {
            throw invalid(at + ".content must be a string or an array of content parts.");
        }
        StringBuilder text = new StringBuilder();
        ArrayNode images = null;
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String where = at + ".content[" + j + "]";
            String type = part.path("type").asText("");
            if (type.equals("text")) {
                text.append(part.path("text").asText(""));
            } else if (type.equals("image_url") && imagesAllowed) {
                if (images == null) {
                    images = NODES.arrayNode();
                }
                images.add(imageBase64(part.get("image_url"), where));
            } else {
                throw new ApiException(ApiError.badRequest(
                        "unsupported_value",
                        "messages",
                        where + ": content parts of type '" + type + "' are not supported by this model."));
            }
        }
        o.put("content", text.toString());
        if (images != null) {
            o.set("images", images);
        }
    }

    /** A data URL's payload; Ollama takes raw base64 only and cannot fetch http(s) images. */
    private static String imageBase64(JsonNode imageUrl, String where) {
        JsonNode url = imageUrl != null && imageUrl.isObject() ? imageUrl.get("url") : imageUrl;
        String s = url == null ? "" : url.asText("");
        int comma = s.indexOf(',');
        if (!s.startsWith("data:") || comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
            throw invalid(where + ".image_url must be a base64 data URL (data:image/png;base64,...); "
                    + "this model cannot fetch image URLs.");
        }
        return s.substring(comma + 1);
    }

    private static void toolCalls(JsonNode calls, String at, ObjectNode o, Map<String, String> toolNames) {
        if (calls == null || calls.isNull()) {
            return;
        }
        if (!calls.isArray()) {
            throw invalid(at + ".tool_calls must be an array.");
        }
        ArrayNode out = o.putArray("tool_calls");
        for (int k = 0; k < calls.size(); k++) {
            JsonNode call = calls.get(k);
            String where = at + ".tool_calls[" + k + "].function";
            JsonNode function = call.path("function");
            String name = function.path("name").asText("");
            toolNames.put(call.path("id").asText(""), name);
            ObjectNode f = out.addObject().putObject("function");
            f.put("name", name);
            f.set("arguments", arguments(function.get("arguments"), where));
        }
    }

    /** OpenAI sends arguments as a JSON string; Ollama wants the object itself. */
    private static JsonNode arguments(JsonNode arguments, String where) {
        if (arguments == null
                || arguments.isNull()
                || arguments.isTextual() && arguments.textValue().isBlank()) {
            return NODES.objectNode();
        }
        if (!arguments.isTextual()) {
            throw invalid(where + ".arguments must be a string of JSON.");
        }
        JsonNode parsed;
        try {
            parsed = OllamaJson.MAPPER.readTree(arguments.textValue());
        } catch (JsonProcessingException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            throw invalid(where + ".arguments must be a JSON object.");
        }
        return parsed;
    }

    private static ApiException invalid(String message) {
        return new ApiException(ApiError.badRequest("invalid_value", "messages", message));
    }
}
