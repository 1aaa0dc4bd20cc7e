package io.aigw.adapters.messages;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic {@code messages[]} turns to OpenAI chat messages. A user turn's {@code tool_result}
 * blocks become {@code tool} messages placed before the rest of that turn (chat wants each tool
 * reply right after the assistant's calls); an assistant turn's {@code tool_use} blocks become
 * {@code tool_calls}. Thinking blocks from earlier turns are history chat cannot carry: dropped.
 */
final class Turns {
    private Turns() {}

    static void add(JsonNode turn, String where, List<ChatMessage> out) {
        if (!turn.isObject()) {
            throw MessagesRequestTranslator.invalid("messages", where + ": must be an object.");
        }
        String role = turn.path("role").asText();
        JsonNode content = turn.get("content");
        if (content == null || !(content.isTextual() || content.isArray())) {
            throw MessagesRequestTranslator.invalid(
                    "messages", where + ".content: must be a string or an array of content blocks.");
        }
        switch (role) {
            case "user":
                user(content, where, out);
                break;
            case "assistant":
                assistant(content, where, out);
                break;
            default:
                throw MessagesRequestTranslator.invalid("messages", where + ".role: must be 'user' or 'assistant'.");
        }
    }

    private static void user(JsonNode content, String where, List<ChatMessage> out) {
        if (content.isTextual()) {
            out.add(ChatMessage.user(List.of(new ChatMessage.Part(content.textValue(), null))));
            return;
        }
        List<ChatMessage.Part> rest = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String at = where + ".content." + i;
            String type = block.path("type").asText();
            switch (type) {
                case "text":
                    rest.add(new ChatMessage.Part(block.path("text").asText(), null));
                    break;
                case "image":
                    rest.add(new ChatMessage.Part(null, imageUrl(block, at)));
                    break;
                case "tool_result":
                    toolResult(block, at, out, rest);
                    break;
                case "thinking":
                case "redacted_thinking":
                    break;
                default:
                    throw unsupportedBlock(type, at);
            }
        }
        if (!rest.isEmpty()) {
            out.add(ChatMessage.user(rest));
        }
    }

    /** A tool message; images in the result follow in the user message (tool messages carry text only). */
    private static void toolResult(JsonNode block, String at, List<ChatMessage> out, List<ChatMessage.Part> rest) {
        String id = block.path("tool_use_id").asText(null);
        if (id == null) {
            throw MessagesRequestTranslator.invalid("messages", at + ".tool_use_id: Field required.");
        }
        StringBuilder text = new StringBuilder();
        if (block.path("is_error").asBoolean(false)) {
            text.append("Error: ");
        }
        JsonNode c = block.get("content");
        if (c != null && c.isTextual()) {
            text.append(c.textValue());
        } else if (c != null && c.isArray()) {
            boolean first = true;
            for (int i = 0; i < c.size(); i++) {
                JsonNode part = c.get(i);
                String type = part.path("type").asText();
                if ("text".equals(type)) {
                    if (!first) {
                        text.append('\n');
                    }
                    text.append(part.path("text").asText());
                    first = false;
                } else if ("image".equals(type)) {
                    rest.add(new ChatMessage.Part(null, imageUrl(part, at + ".content." + i)));
                } else {
                    throw unsupportedBlock(type, at + ".content." + i);
                }
            }
        }
        out.add(ChatMessage.tool(id, text.toString()));
    }

    private static void assistant(JsonNode content, String where, List<ChatMessage> out) {
        if (content.isTextual()) {
            out.add(ChatMessage.assistant(content.textValue(), List.of()));
            return;
        }
        StringBuilder text = null;
        List<ChatMessage.ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String type = block.path("type").asText();
            switch (type) {
                case "text":
                    text = text == null ? new StringBuilder() : text;
                    text.append(block.path("text").asText());
                    break;
                case "tool_use":
                    JsonNode input = block.get("input");
                    calls.add(new ChatMessage.ToolCall(
                            block.path("id").asText(),
                            block.path("name").asText(),
                            input == null || input.isNull() ? "{}" : input.toString()));
                    break;
                case "thinking":
                case "redacted_thinking":
                    break;
                default:
                    throw unsupportedBlock(type, where + ".content." + i);
            }
        }
        if (text != null || !calls.isEmpty()) {
            out.add(ChatMessage.assistant(text == null ? null : text.toString(), calls));
        }
    }

    /** base64 → data URL; url → the URL. Files uploaded to Anthropic exist only there. */
    private static String imageUrl(JsonNode block, String at) {
        JsonNode source = block.path("source");
        switch (source.path("type").asText()) {
            case "base64":
                return "data:" + source.path("media_type").asText("image/png") + ";base64,"
                        + source.path("data").asText();
            case "url":
                return source.path("url").asText();
            default:
                throw MessagesRequestTranslator.unsupported(
                        "messages", at + ".source: only base64 and url images are supported for this model.");
        }
    }

    private static RuntimeException unsupportedBlock(String type, String at) {
        return MessagesRequestTranslator.unsupported(
                "messages", at + ": content blocks of type '" + type + "' are only supported by Anthropic providers.");
    }
}
