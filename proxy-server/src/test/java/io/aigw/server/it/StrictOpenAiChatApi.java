package io.aigw.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A mock of OpenAI's chat-completions API that rejects what the real one rejects: unknown top-level
 * fields, {@code stream_options} without {@code stream}, {@code max_tokens} together with
 * {@code max_completion_tokens}, a {@code tool} message answering no earlier {@code tool_calls} id,
 * an unknown role, a missing {@code Authorization: Bearer} key. It honours {@code include_usage}
 * exactly (a usage chunk only when asked), and streams a tool call either in short argument
 * fragments (as OpenAI does) or whole in one chunk ({@code wholeToolCalls}, as Ollama does).
 *
 * <p>Answers: when tools are offered and the last message is not a tool reply, a call to the first
 * tool with {@code {"city":"Paris"}}; otherwise text ("Hello there", or "It is sunny in Paris."
 * after a tool reply). Models named {@code rate-limited} and {@code overloaded} get a 429 and a 503.
 */
final class StrictOpenAiChatApi {
    static final String KEY = "sk-openai-provider-key";
    static final String ARGUMENTS = "{\"city\":\"Paris\"}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of(
            "model",
            "messages",
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "top_p",
            "n",
            "stream",
            "stream_options",
            "stop",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "logprobs",
            "top_logprobs",
            "user",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "seed",
            "reasoning_effort",
            "metadata",
            "store",
            "service_tier",
            "modalities",
            "prediction",
            "verbosity");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final boolean wholeToolCalls;

    StrictOpenAiChatApi(boolean wholeToolCalls) {
        this.wholeToolCalls = wholeToolCalls;
    }

    Reply answer(RecordedRequest r) {
        if (!r.uri().endsWith("/chat/completions")) {
            return error(404, "invalid_request_error", "unknown_url", "Unknown request URL: POST " + r.uri());
        }
        if (!("Bearer " + KEY).equals(r.header("authorization"))) {
            return error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.");
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (Exception e) {
            return error(400, "invalid_request_error", null, "We could not parse the JSON body of your request.");
        }
        String problem = validate(body);
        if (problem != null) {
            return error(400, "invalid_request_error", "invalid_value", problem);
        }
        String model = body.path("model").asText();
        if (model.equals("rate-limited")) {
            return error(429, "requests", "rate_limit_exceeded", "Rate limit reached for requests.");
        }
        if (model.equals("overloaded")) {
            return error(503, "server_error", null, "The server is overloaded.");
        }
        JsonNode messages = body.get("messages");
        boolean afterTool =
                messages.get(messages.size() - 1).path("role").asText().equals("tool");
        boolean stream = body.path("stream").asBoolean(false);
        boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
        if (body.has("tools") && !afterTool) {
            String tool = body.get("tools").get(0).path("function").path("name").asText();
            return stream ? toolStream(model, tool, usage) : toolJson(model, tool);
        }
        String text = afterTool ? "It is sunny in Paris." : "Hello there";
        boolean length = body.path("max_completion_tokens").asInt(100) < 3;
        return stream ? textStream(model, text, usage, length) : textJson(model, text, length);
    }

    private static String validate(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_LEVEL.contains(f)) {
                return "Unrecognized request argument supplied: " + f;
            }
        }
        if (!body.path("model").isTextual()) {
            return "you must provide a model parameter";
        }
        if (body.has("stream_options") && !body.path("stream").asBoolean(false)) {
            return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
        }
        if (body.has("max_tokens") && body.has("max_completion_tokens")) {
            return "max_tokens and max_completion_tokens cannot both be set";
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "'messages' must be a non-empty array";
        }
        Set<String> callIds = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText();
            if (!ROLES.contains(role)) {
                return "Invalid value for 'messages[" + i + "].role': '" + role + "'";
            }
            for (JsonNode call : m.path("tool_calls")) {
                callIds.add(call.path("id").asText());
                if (!call.path("function").path("arguments").isTextual()) {
                    return "messages[" + i + "].tool_calls[].function.arguments must be a string";
                }
            }
            if (role.equals("tool") && !callIds.contains(m.path("tool_call_id").asText())) {
                return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
            }
            JsonNode content = m.get("content");
            boolean toolCallsOnly = role.equals("assistant") && m.has("tool_calls");
            if (!(content != null && (content.isTextual() || content.isArray())) && !toolCallsOnly) {
                return "Invalid 'messages[" + i + "].content': expected a string or an array";
            }
        }
        return null;
    }

    private static Reply textJson(String model, String text, boolean length) {
        return Reply.json(
                200,
                "{\"id\":\"chatcmpl-strict1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\""
                        + model
                        + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                        + (length ? text.substring(0, 5) : text) + "\",\"refusal\":null},\"logprobs\":null,"
                        + "\"finish_reason\":\"" + (length ? "length" : "stop") + "\"}],"
                        + usage() + ",\"system_fingerprint\":\"fp_strict\"}");
    }

    private static Reply toolJson(String model, String tool) {
        return Reply.json(
                200,
                "{\"id\":\"chatcmpl-strict2\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\""
                        + model
                        + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
                        + "\"tool_calls\":[{\"id\":\"call_strict_1\",\"type\":\"function\",\"function\":{\"name\":\""
                        + tool
                        + "\",\"arguments\":" + JSON.valueToTree(ARGUMENTS) + "}}],\"refusal\":null},\"logprobs\":null,"
                        + "\"finish_reason\":\"tool_calls\"}]," + usage() + "}");
    }

    private static String usage() {
        return "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":2}}";
    }

    private static Reply textStream(String model, String text, boolean includeUsage, boolean length) {
        List<String> events = new ArrayList<>();
        events.add(chunk(model, "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null));
        String sent = length ? text.substring(0, 5) : text;
        for (int i = 0; i < sent.length(); i += 4) {
            ObjectNode delta =
                    JSON.createObjectNode().put("content", sent.substring(i, Math.min(sent.length(), i + 4)));
            events.add(chunk(model, delta.toString(), null));
        }
        events.add(chunk(model, "{}", length ? "length" : "stop"));
        if (includeUsage) {
            events.add(usageChunk(model));
        }
        return Reply.sse(events);
    }

    private Reply toolStream(String model, String tool, boolean includeUsage) {
        List<String> events = new ArrayList<>();
        events.add(chunk(model, "{\"role\":\"assistant\",\"content\":null}", null));
        if (wholeToolCalls) {
            events.add(chunk(
                    model,
                    "{\"tool_calls\":[{\"index\":0,\"id\":\"call_strict_1\",\"type\":\"function\",\"function\":{\"name\":\""
                            + tool + "\",\"arguments\":" + JSON.valueToTree(ARGUMENTS) + "}}]}",
                    null));
        } else {
            events.add(chunk(
                    model,
                    "{\"tool_calls\":[{\"index\":0,\"id\":\"call_strict_1\",\"type\":\"function\",\"function\":{\"name\":\""
                            + tool + "\",\"arguments\":\"\"}}]}",
                    null));
            for (int i = 0; i < ARGUMENTS.length(); i += 3) {
                String part = ARGUMENTS.substring(i, Math.min(ARGUMENTS.length(), i + 3));
                events.add(chunk(
                        model,
                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + JSON.valueToTree(part) + "}}]}",
                        null));
            }
        }
        events.add(chunk(model, "{}", "tool_calls"));
        if (includeUsage) {
            events.add(usageChunk(model));
        }
        return Reply.sse(events);
    }

    private static String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-strict3\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String usageChunk(String model) {
        return "{\"id\":\"chatcmpl-strict3\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model + "\",\"choices\":[]," + usage() + "}";
    }

    static Reply error(int status, String type, String code, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error")
                .put("message", message)
                .put("type", type)
                .putNull("param")
                .put("code", code);
        return Reply.json(status, e.toString());
    }
}
