package io.aigw.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A mock of Anthropic's Messages API that rejects what the real one rejects: a missing
 * {@code max_tokens}, a {@code system} role inside messages, a {@code system} that is neither a
 * string nor text blocks, tool results that do not lead their user turn or answer no tool_use,
 * unknown top-level fields, a {@code thinking} budget under 1024 or not under max_tokens, an
 * {@code anthropic-beta} value it does not know, a missing {@code x-api-key} or
 * {@code anthropic-version}. Valid requests get a tool call (when tools are offered and the last
 * turn is the user's text) or a text answer, as JSON or as Anthropic's SSE event sequence;
 * {@code /v1/messages/count_tokens} answers {@code {"input_tokens":42}}. Models named
 * {@code overloaded} and {@code rate-limited} get a 529 and a 429.
 */
final class StrictAnthropicApi {
    static final String KEY = "sk-ant-provider-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of(
            "model",
            "messages",
            "system",
            "max_tokens",
            "stop_sequences",
            "temperature",
            "top_p",
            "top_k",
            "stream",
            "metadata",
            "tools",
            "tool_choice",
            "thinking",
            "service_tier");
    /** Fields count_tokens takes (no max_tokens, no stream). */
    private static final Set<String> COUNT_TOP_LEVEL =
            Set.of("model", "messages", "system", "tools", "tool_choice", "thinking");

    static final Set<String> BETAS = Set.of(
            "prompt-caching-2024-07-31",
            "interleaved-thinking-2025-05-14",
            "fine-grained-tool-streaming-2025-05-14",
            "token-efficient-tools-2025-02-19",
            "output-128k-2025-02-19",
            "context-1m-2025-08-07",
            "files-api-2025-04-14");
    static final int COUNTED_TOKENS = 42;
    /** The gateway's own default, and the one anthropic-java 3.16.0 sends (passed through from its clients). */
    static final Set<String> VERSIONS = Set.of("2023-06-01", "2026-10-21");

    private StrictAnthropicApi() {}

    static Reply answer(RecordedRequest r) {
        try {
            boolean count = r.uri().equals("/v1/messages/count_tokens");
            if (!r.uri().equals("/v1/messages") && !count) {
                return error(404, "not_found_error", "Not found: " + r.uri());
            }
            if (!KEY.equals(r.header("x-api-key")) || r.header("authorization") != null) {
                return error(401, "authentication_error", "invalid x-api-key");
            }
            if (!VERSIONS.contains(r.header("anthropic-version"))) {
                return error(400, "invalid_request_error", "anthropic-version header is required");
            }
            for (String beta : r.headers().getAll("anthropic-beta")) {
                for (String b : beta.split(",")) {
                    if (!BETAS.contains(b.trim())) {
                        return error(
                                400,
                                "invalid_request_error",
                                "Unexpected value(s) `" + b.trim() + "` for the `anthropic-beta` header.");
                    }
                }
            }
            JsonNode body = JSON.readTree(r.body());
            String problem = count ? validateCount(body) : validate(body);
            if (problem != null) {
                return error(400, "invalid_request_error", problem);
            }
            if (count) {
                return Reply.json(200, "{\"input_tokens\":" + COUNTED_TOKENS + "}");
            }
            if (body.path("model").asText().equals("overloaded")) {
                return error(529, "overloaded_error", "Overloaded");
            }
            if (body.path("model").asText().equals("rate-limited")) {
                return error(
                        429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit");
            }
            boolean stream = body.path("stream").asBoolean(false);
            JsonNode last = body.get("messages").get(body.get("messages").size() - 1);
            boolean lastIsToolResult = last.path("content").isArray()
                    && last.get("content").get(0).path("type").asText().equals("tool_result");
            boolean callTools = body.has("tools") && !lastIsToolResult;
            String model = body.get("model").asText();
            return callTools
                    ? toolUse(model, stream)
                    : text(model, stream, lastIsToolResult ? "It is sunny in Paris." : "Hello there");
        } catch (Exception e) {
            return error(400, "invalid_request_error", "bad json: " + e.getMessage());
        }
    }

    private static String validateCount(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!COUNT_TOP_LEVEL.contains(f)) {
                return f + ": Extra inputs are not permitted";
            }
        }
        return validateMessages(body);
    }

    private static String validate(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_LEVEL.contains(f)) {
                return f + ": Extra inputs are not permitted";
            }
        }
        if (!body.path("max_tokens").isInt()) {
            return "max_tokens: Field required";
        }
        JsonNode thinking = body.get("thinking");
        if (thinking != null && thinking.path("type").asText().equals("enabled")) {
            int budget = thinking.path("budget_tokens").asInt(0);
            if (budget < 1024 || budget >= body.path("max_tokens").asInt()) {
                return "thinking.budget_tokens: must be >= 1024 and less than max_tokens";
            }
        } else if (thinking != null && !thinking.path("type").asText().equals("disabled")) {
            return "thinking.type: Input should be 'enabled' or 'disabled'";
        }
        return validateMessages(body);
    }

    private static String validateMessages(JsonNode body) {
        JsonNode system = body.get("system");
        if (system != null && !system.isTextual()) {
            if (!system.isArray()) {
                return "system: Input should be a valid string or list";
            }
            for (JsonNode block : system) {
                if (!block.path("type").asText().equals("text")
                        || !block.path("text").isTextual()) {
                    return "system: only text blocks are allowed";
                }
            }
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "messages: Field required";
        }
        List<String> openToolUses = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                return "messages: Unexpected role \"" + role + "\"";
            }
            if (!m.path("content").isArray()) {
                continue;
            }
            boolean seenOther = false;
            List<String> uses = new ArrayList<>();
            for (JsonNode block : m.get("content")) {
                String type = block.path("type").asText();
                if (type.equals("tool_result")) {
                    if (seenOther || !role.equals("user")) {
                        return "messages: tool_result blocks must come first in a user turn";
                    }
                    if (!openToolUses.remove(block.path("tool_use_id").asText())) {
                        return "messages: tool_result without a matching tool_use";
                    }
                } else {
                    seenOther = true;
                }
                if (type.equals("tool_use")) {
                    uses.add(block.path("id").asText());
                    if (!block.path("input").isObject()) {
                        return "messages: tool_use.input must be an object";
                    }
                }
                if (type.equals("text") && block.path("text").asText().isEmpty()) {
                    return "messages: text content blocks must be non-empty";
                }
            }
            openToolUses.addAll(uses);
        }
        return null;
    }

    private static Reply text(String model, boolean stream, String text) {
        if (!stream) {
            return Reply.json(
                    200,
                    "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
                            + "\",\"content\":[{\"type\":\"text\",\"text\":\"" + text
                            + "\"}],\"stop_reason\":\"end_turn\","
                            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":2,"
                            + "\"cache_read_input_tokens\":5,\"output_tokens\":4}}",
                    Map.of("anthropic-ratelimit-requests-remaining", "49", "request-id", "req_ant_1"));
        }
        String half = text.substring(0, 5);
        return Reply.sseRaw(List.of(
                event(
                        "message_start",
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_02\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"" + model
                                + "\",\"content\":[],\"stop_reason\":null,"
                                + "\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}"),
                event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
                event("ping", "{\"type\":\"ping\"}"),
                event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\""
                                + half + "\"}}"),
                event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\""
                                + text.substring(5) + "\"}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":6}}"),
                event("message_stop", "{\"type\":\"message_stop\"}")));
    }

    private static Reply toolUse(String model, boolean stream) {
        if (!stream) {
            return Reply.json(
                    200,
                    "{\"id\":\"msg_03\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
                            + "\",\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\","
                            + "\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},{\"type\":\"tool_use\",\"id\":\"toolu_2\","
                            + "\"name\":\"get_time\",\"input\":{}}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
                            + "\"usage\":{\"input_tokens\":20,\"output_tokens\":15}}");
        }
        return Reply.sseRaw(List.of(
                event(
                        "message_start",
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_04\",\"type\":\"message\",\"role\":\"assistant\","
                                + "\"model\":\"" + model
                                + "\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}"),
                event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
                event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking.\"}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}}"),
                event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}"),
                event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"is\\\"}\"}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"),
                event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"get_time\",\"input\":{}}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}"),
                event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}"),
                event("message_stop", "{\"type\":\"message_stop\"}")));
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    private static Reply error(int status, String type, String message) {
        return Reply.json(
                status,
                "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "'")
                        + "\"}}");
    }
}
