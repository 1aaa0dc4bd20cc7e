package io.aigw.adapters.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.anthropic.Blocks.Block;
import io.aigw.adapters.anthropic.Blocks.Media;
import io.aigw.adapters.anthropic.Blocks.Text;
import io.aigw.adapters.anthropic.Blocks.ToolResult;
import io.aigw.adapters.anthropic.Blocks.ToolUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OpenAI {@code messages[]} to Anthropic {@code system} + {@code messages}.
 *
 * <p>Anthropic has no system role, so system and developer messages (wherever they sit) become the
 * top-level system blocks, in order. What is left is grouped so each run of one role is a single
 * Anthropic turn: tool replies and user messages share the user role, and the API insists that the
 * tool_result blocks answering the previous assistant turn come first in the next user turn, so each
 * turn keeps two lists (user: tool results, then content; assistant: text, then tool_use).
 */
final class MessageConverter {
    private static final String PARAM = "messages";
    private static final String USER = "user";
    private static final String ASSISTANT = "assistant";

    record Conversation(List<Text> system, List<Turn> turns) {}

    /** One Anthropic message: {@code first} blocks then {@code second} blocks. */
    record Turn(String role, List<Block> first, List<Block> second) {
        List<Block> blocks() {
            List<Block> all = new ArrayList<>(first.size() + second.size());
            all.addAll(first);
            all.addAll(second);
            return all;
        }
    }

    private final ObjectMapper mapper;
    private final List<Text> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();

    private MessageConverter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    static Conversation convert(JsonNode messages, ObjectMapper mapper) {
        if (messages == null || messages.isNull() || messages.isMissingNode()) {
            throw Invalid.missing(PARAM);
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw Invalid.value(PARAM, "messages must be a non-empty array.");
        }
        MessageConverter c = new MessageConverter(mapper);
        for (int i = 0; i < messages.size(); i++) {
            c.add(messages.get(i), "messages[" + i + "]");
        }
        c.trimFinalAssistantText();
        if (c.turns.isEmpty()) {
            throw Invalid.value(PARAM, "messages must contain at least one non-empty user or assistant message.");
        }
        return new Conversation(List.copyOf(c.system), List.copyOf(c.turns));
    }

    private void add(JsonNode msg, String where) {
        if (!msg.isObject()) {
            throw Invalid.type(PARAM, where + " must be an object.");
        }
        String role = Invalid.text(msg, "role", PARAM, where);
        if (role == null) {
            throw Invalid.value(PARAM, where + ".role is required.");
        }
        JsonNode content = Invalid.field(msg, "content");
        switch (role) {
            case "system":
            case "developer":
                system.addAll(textParts(content, where));
                break;
            case USER:
                append(USER, List.of(), userContent(content, where));
                break;
            case "tool":
                append(USER, List.of(toolResult(msg, content, where)), List.of());
                break;
            case ASSISTANT:
                append(ASSISTANT, textParts(content, where), toolUses(msg, where));
                break;
            case "function":
                // Deprecated; its replies carry no call id, so they cannot become tool_result blocks.
                throw Invalid.unsupported(PARAM, where + ": role 'function' is not supported; use 'tool'.");
            default:
                throw Invalid.value(PARAM, where + ".role '" + role + "' is not a valid role.");
        }
    }

    /** Adds to the last turn when it has this role (merging runs); messages with no blocks vanish. */
    private void append(String role, List<? extends Block> first, List<? extends Block> second) {
        if (first.isEmpty() && second.isEmpty()) {
            return; // Anthropic rejects empty content; dropping the message also lets its neighbours merge.
        }
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last == null || !last.role().equals(role)) {
            last = new Turn(role, new ArrayList<>(), new ArrayList<>());
            turns.add(last);
        }
        last.first().addAll(first);
        last.second().addAll(second);
    }

    /** String or text parts (system, developer, assistant); empty text is skipped, refusals kept as text. */
    private static List<Text> textParts(JsonNode content, String where) {
        List<Text> out = new ArrayList<>();
        if (content == null) {
            return out;
        }
        if (content.isTextual()) {
            addText(out, content.textValue());
            return out;
        }
        if (!content.isArray()) {
            throw Invalid.type(PARAM, where + ".content must be a string or an array of content parts.");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String at = where + ".content[" + j + "]";
            String type = partType(part, at);
            if (type.equals("text")) {
                addText(out, requiredText(part, "text", at));
            } else if (type.equals("refusal")) {
                addText(out, requiredText(part, "refusal", at));
            } else {
                throw Invalid.value(PARAM, at + ": content part type '" + type + "' is not allowed here.");
            }
        }
        return out;
    }

    private static List<Block> userContent(JsonNode content, String where) {
        List<Block> out = new ArrayList<>();
        if (content == null) {
            throw Invalid.value(PARAM, where + ".content is required.");
        }
        if (content.isTextual()) {
            addText(out, content.textValue());
            return out;
        }
        if (!content.isArray()) {
            throw Invalid.type(PARAM, where + ".content must be a string or an array of content parts.");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String at = where + ".content[" + j + "]";
            String type = partType(part, at);
            switch (type) {
                case "text":
                    addText(out, requiredText(part, "text", at));
                    break;
                case "image_url": {
                    JsonNode image = Invalid.field(part, "image_url");
                    String url = image != null && image.isObject()
                            ? Invalid.text(image, "url", PARAM, at + ".image_url")
                            : null;
                    if (url == null) {
                        throw Invalid.value(PARAM, at + ".image_url.url is required.");
                    }
                    out.add(media(url, at + ".image_url.url")); // detail: Anthropic has no equivalent
                    break;
                }
                case "file": {
                    // OpenAI's file_data is a data URL; a file_id names an OpenAI upload Anthropic cannot see.
                    JsonNode file = Invalid.field(part, "file");
                    String data = file != null && file.isObject()
                            ? Invalid.text(file, "file_data", PARAM, at + ".file")
                            : null;
                    if (data == null) {
                        throw Invalid.unsupported(PARAM, at + ": only inline file_data (a data URL) is supported.");
                    }
                    out.add(media(data, at + ".file.file_data"));
                    break;
                }
                case "input_audio":
                    break; // Claude takes no audio input; dropped as Anthropic's own compat layer does.
                default:
                    throw Invalid.value(PARAM, at + ": unknown content part type '" + type + "'.");
            }
        }
        return out;
    }

    /** {@code data:<mime>;base64,<data>} becomes a base64 source (PDF as a document); http(s) a url source. */
    static Media media(String url, String at) {
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = url.indexOf(',');
            String meta = comma < 0 ? "" : url.substring(5, comma);
            if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
                throw Invalid.value(PARAM, at + " must be a base64 data URL (data:<mime>;base64,<data>).");
            }
            int semi = meta.indexOf(';');
            String mime = meta.substring(0, semi).trim().toLowerCase(Locale.ROOT);
            String data = url.substring(comma + 1);
            if (mime.isEmpty() || data.isEmpty()) {
                throw Invalid.value(PARAM, at + " must name a media type and carry data.");
            }
            return new Media(mime.equals("application/pdf") ? "document" : "image", mime, data);
        }
        if (url.regionMatches(true, 0, "https://", 0, 8) || url.regionMatches(true, 0, "http://", 0, 7)) {
            return new Media("image", null, url);
        }
        throw Invalid.value(PARAM, at + " must be an http(s) URL or a base64 data URL.");
    }

    private static ToolResult toolResult(JsonNode msg, JsonNode content, String where) {
        String id = Invalid.text(msg, "tool_call_id", PARAM, where);
        if (id == null) {
            throw Invalid.value(PARAM, where + ".tool_call_id is required.");
        }
        if (content == null || content.isTextual()) {
            String text = content == null ? "" : content.textValue();
            return new ToolResult(toolId(id), text.isEmpty() ? null : text, null);
        }
        List<Text> parts = textParts(content, where);
        return new ToolResult(toolId(id), null, parts.isEmpty() ? null : parts);
    }

    private List<Block> toolUses(JsonNode msg, String where) {
        JsonNode calls = Invalid.field(msg, "tool_calls");
        List<Block> out = new ArrayList<>();
        if (calls == null) {
            if (Invalid.field(msg, "function_call") != null) {
                throw Invalid.unsupported(
                        PARAM, where + ".function_call is deprecated and not supported; use tool_calls.");
            }
            return out;
        }
        if (!calls.isArray()) {
            throw Invalid.type(PARAM, where + ".tool_calls must be an array.");
        }
        for (int j = 0; j < calls.size(); j++) {
            JsonNode call = calls.get(j);
            String at = where + ".tool_calls[" + j + "]";
            if (!call.isObject()) {
                throw Invalid.type(PARAM, at + " must be an object.");
            }
            String type = Invalid.text(call, "type", PARAM, at);
            if (type != null && !type.equals("function")) {
                throw Invalid.unsupported(PARAM, at + ".type '" + type + "' is not supported.");
            }
            String id = Invalid.text(call, "id", PARAM, at);
            JsonNode fn = Invalid.field(call, "function");
            String name = fn != null && fn.isObject() ? Invalid.text(fn, "name", PARAM, at + ".function") : null;
            if (id == null || name == null) {
                throw Invalid.value(PARAM, at + " needs an id and a function.name.");
            }
            String args = Invalid.text(fn, "arguments", PARAM, at + ".function");
            out.add(new ToolUse(toolId(id), name, arguments(args, at + ".function.arguments")));
        }
        return out;
    }

    /** Tool arguments travel as a JSON string; Anthropic wants the object itself. */
    private JsonNode arguments(String args, String at) {
        if (args == null || args.isBlank()) {
            return mapper.createObjectNode();
        }
        JsonNode input;
        try {
            input = mapper.readTree(args);
        } catch (JsonProcessingException e) {
            throw Invalid.value(PARAM, at + " is not valid JSON.");
        }
        if (input == null || !input.isObject()) {
            throw Invalid.value(PARAM, at + " must be a JSON object.");
        }
        return input;
    }

    /**
     * Anthropic requires tool ids to match {@code ^[a-zA-Z0-9_-]+$}; ids minted by other providers
     * (e.g. {@code functions.Bash:0}) do not. The same mapping is applied to tool_use ids and to the
     * tool_result ids that answer them, so pairs stay matched.
     */
    static String toolId(String id) {
        StringBuilder sb = null;
        for (int k = 0; k < id.length(); k++) {
            char ch = id.charAt(k);
            boolean ok = (ch >= 'a' && ch <= 'z')
                    || (ch >= 'A' && ch <= 'Z')
                    || (ch >= '0' && ch <= '9')
                    || ch == '_'
                    || ch == '-';
            if (!ok && sb == null) {
                sb = new StringBuilder(id.length()).append(id, 0, k);
            }
            if (sb != null) {
                sb.append(ok ? ch : '_');
            }
        }
        String out = sb == null ? id : sb.toString();
        return out.isEmpty() ? "_" : out;
    }

    /**
     * A trailing assistant turn is a prefill, and Anthropic rejects a prefill ending in whitespace;
     * trimming it only changes what the model continues from, never what it was told.
     */
    private void trimFinalAssistantText() {
        if (turns.isEmpty()) {
            return;
        }
        Turn last = turns.get(turns.size() - 1);
        if (!last.role().equals(ASSISTANT) || !last.second().isEmpty()) {
            return;
        }
        List<Block> text = last.first();
        while (!text.isEmpty()) {
            String trimmed = ((Text) text.remove(text.size() - 1)).text().stripTrailing();
            if (!trimmed.isEmpty()) {
                text.add(new Text(trimmed));
                return;
            }
        }
        turns.remove(turns.size() - 1);
    }

    private static void addText(List<? super Text> out, String text) {
        if (!text.isEmpty()) {
            out.add(new Text(text)); // Anthropic rejects empty text blocks
        }
    }

    private static String partType(JsonNode part, String at) {
        if (!part.isObject()) {
            throw Invalid.type(PARAM, at + " must be an object.");
        }
        String type = Invalid.text(part, "type", PARAM, at);
        if (type == null) {
            throw Invalid.value(PARAM, at + ".type is required.");
        }
        return type;
    }

    private static String requiredText(JsonNode part, String field, String at) {
        String text = Invalid.text(part, field, PARAM, at);
        if (text == null) {
            throw Invalid.value(PARAM, at + "." + field + " is required.");
        }
        return text;
    }
}
