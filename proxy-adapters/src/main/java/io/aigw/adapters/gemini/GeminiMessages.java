package io.aigw.adapters.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * OpenAI {@code messages} → Gemini {@code contents} and {@code systemInstruction} (PROTOCOLS 7).
 * assistant is {@code model}; system and developer turns become the system instruction. Gemini
 * wants user and model turns to alternate, so consecutive turns of one role are merged into one.
 * A tool reply becomes a {@code functionResponse} part in a user turn, named after the call it
 * answers (found by {@code tool_call_id}: Gemini refuses a nameless one), and a call the model made
 * gets its {@code thoughtSignature} back from its id ({@link ToolCallIds}).
 */
final class GeminiMessages {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    final ArrayNode contents = NODES.arrayNode();
    /** The system instruction's parts; empty when there is none. */
    final ArrayNode system = NODES.arrayNode();

    private final Map<String, String> toolNames = new HashMap<>();
    private String lastRole;
    private ArrayNode lastParts;

    static GeminiMessages convert(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalid("messages must be a non-empty array.");
        }
        GeminiMessages m = new GeminiMessages();
        for (int i = 0; i < messages.size(); i++) {
            m.add(messages.get(i), "messages[" + i + "]");
        }
        return m;
    }

    private void add(JsonNode m, String at) {
        if (!m.isObject()) {
            throw invalid(at + " must be an object.");
        }
        String role = m.path("role").asText("");
        switch (role) {
            case "system", "developer" -> text(m.get("content"), at, system);
            case "user" -> {
                ArrayNode parts = NODES.arrayNode();
                userContent(m.get("content"), at, parts);
                append("user", parts);
            }
            case "assistant" -> {
                ArrayNode parts = NODES.arrayNode();
                text(m.get("content"), at, parts);
                toolCalls(m.get("tool_calls"), at, parts);
                append("model", parts);
            }
            case "tool" -> {
                String id = m.path("tool_call_id").asText("");
                String name = toolNames.get(id);
                if (name == null) {
                    throw invalid(at + ".tool_call_id does not match a tool call of an earlier assistant message.");
                }
                ObjectNode fr = NODES.objectNode();
                fr.put("name", name);
                fr.set("response", response(m.get("content"), at));
                ArrayNode parts = NODES.arrayNode();
                parts.addObject().set("functionResponse", fr);
                append("user", parts);
            }
            default -> throw invalid(at + ".role must be one of system, developer, user, assistant, tool.");
        }
    }

    private void append(String role, ArrayNode parts) {
        if (parts.isEmpty()) {
            return; // an empty assistant turn, say: Gemini refuses a content without parts
        }
        if (role.equals(lastRole)) {
            lastParts.addAll(parts);
            return;
        }
        ObjectNode c = contents.addObject();
        c.put("role", role);
        lastParts = c.putArray("parts");
        lastParts.addAll(parts);
        lastRole = role;
    }

    /** Text only: a string, or text parts (each its own Gemini part). Empty text is left out. */
    private static void text(JsonNode content, String at, ArrayNode parts) {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isTextual()) {
            if (!content.textValue().isEmpty()) {
                parts.addObject().put("text", content.textValue());
            }
            return;
        }
        if (!content.isArray()) {
            throw invalid(at + ".content must be a string or an array of content parts.");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String type = part.path("type").asText("");
            if (type.equals("text") || type.equals("refusal")) {
                String t = part.path(type).asText("");
                if (!t.isEmpty()) {
                    parts.addObject().put("text", t);
                }
            } else {
                throw unsupportedPart(at + ".content[" + j + "]", type);
            }
        }
    }

    private static void userContent(JsonNode content, String at, ArrayNode parts) {
        if (content == null || !content.isArray()) {
            text(content, at, parts);
            return;
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String where = at + ".content[" + j + "]";
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> {
                    String t = part.path("text").asText("");
                    if (!t.isEmpty()) {
                        parts.addObject().put("text", t);
                    }
                }
                case "image_url" -> parts.add(image(part.get("image_url"), where));
                default -> throw unsupportedPart(where, type);
            }
        }
    }

    /** A data URL → inlineData; an http(s) or gs:// URL → fileData, its MIME type guessed from the extension. */
    private static ObjectNode image(JsonNode imageUrl, String where) {
        JsonNode url = imageUrl != null && imageUrl.isObject() ? imageUrl.get("url") : imageUrl;
        String s = url == null ? "" : url.asText("");
        ObjectNode part = NODES.objectNode();
        if (s.startsWith("data:")) {
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
                throw invalid(where + ".image_url must be a base64 data URL (data:image/png;base64,...) or a URL.");
            }
            ObjectNode d = part.putObject("inlineData");
            d.put("mimeType", s.substring(5, comma - 7));
            d.put("data", s.substring(comma + 1));
            return part;
        }
        if (!s.startsWith("https://") && !s.startsWith("http://") && !s.startsWith("gs://")) {
            throw invalid(where + ".image_url.url must be a data URL, an http(s) URL or a gs:// URI.");
        }
        ObjectNode f = part.putObject("fileData");
        f.put("mimeType", mimeType(s));
        f.put("fileUri", s);
        return part;
    }

    static String mimeType(String url) {
        String path = url;
        int cut = indexOfAny(path, '?', '#');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        String ext = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "png" -> "image/png";
            case "gif" -> "image/gif";
            case "webp" -> "image/webp";
            case "heic" -> "image/heic";
            case "heif" -> "image/heif";
            case "pdf" -> "application/pdf";
            default -> "image/jpeg"; // jpg, jpeg, and a URL without an extension
        };
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private void toolCalls(JsonNode calls, String at, ArrayNode parts) {
        if (calls == null || calls.isNull()) {
            return;
        }
        if (!calls.isArray()) {
            throw invalid(at + ".tool_calls must be an array.");
        }
        for (int k = 0; k < calls.size(); k++) {
            JsonNode call = calls.get(k);
            String where = at + ".tool_calls[" + k + "]";
            JsonNode function = call.path("function");
            String name = function.path("name").asText("");
            if (name.isEmpty()) {
                throw invalid(where + ".function.name is required.");
            }
            String id = call.path("id").asText("");
            toolNames.put(id, name);
            ObjectNode part = parts.addObject();
            ObjectNode fc = part.putObject("functionCall");
            fc.put("name", name);
            fc.set("args", arguments(function.get("arguments"), where + ".function"));
            String signature = ToolCallIds.signatureOf(id);
            if (signature != null) {
                part.put("thoughtSignature", signature);
            }
        }
    }

    /** OpenAI sends arguments as a JSON string; Gemini wants the object itself. */
    private static JsonNode arguments(JsonNode arguments, String where) {
        if (arguments == null
                || arguments.isNull()
                || arguments.isTextual() && arguments.textValue().isBlank()) {
            return NODES.objectNode();
        }
        if (!arguments.isTextual()) {
            throw invalid(where + ".arguments must be a string of JSON.");
        }
        JsonNode parsed = parse(arguments.textValue());
        if (parsed == null || !parsed.isObject()) {
            throw invalid(where + ".arguments must be a JSON object.");
        }
        return parsed;
    }

    /** Gemini's response is an object: a JSON object reply is sent as it is, anything else as {"content": ...}. */
    private static JsonNode response(JsonNode content, String at) {
        String text;
        if (content == null || content.isNull()) {
            text = "";
        } else if (content.isTextual()) {
            text = content.textValue();
        } else if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            content.forEach(p -> b.append(p.path("text").asText("")));
            text = b.toString();
        } else {
            throw invalid(at + ".content must be a string or an array of text parts.");
        }
        JsonNode parsed = text.isBlank() ? null : parse(text);
        if (parsed != null && parsed.isObject()) {
            return parsed;
        }
        ObjectNode wrapped = NODES.objectNode();
        wrapped.set("content", parsed != null ? parsed : NODES.textNode(text));
        return wrapped;
    }

    private static JsonNode parse(String json) {
        try {
            return GeminiJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static ApiException unsupportedPart(String where, String type) {
        return new ApiException(ApiError.badRequest(
                "unsupported_value",
                "messages",
                where + ": content parts of type '" + type + "' are not supported by this model."));
    }

    private static ApiException invalid(String message) {
        return new ApiException(ApiError.badRequest("invalid_value", "messages", message));
    }
}
