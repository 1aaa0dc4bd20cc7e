package io.aigw.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A chat-completions host that has never heard of the Responses API, for {@link ResponsesSdkIT}:
 * it rejects Responses keys ({@code input}, {@code instructions}, {@code text}, {@code store}, ...)
 * like any unknown top-level key, a {@code tool} message answering no earlier tool call, and a
 * non-chat path. It answers a function call when tools are offered and the last message is the
 * user's (streamed in one-character argument fragments), else text; it streams usage only when
 * {@code stream_options.include_usage} is true, and always ends a stream with {@code [DONE]}.
 */
final class ChatOnlyResponder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of(
            "model",
            "messages",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "reasoning_effort",
            "max_completion_tokens",
            "temperature",
            "top_p",
            "user",
            "stream",
            "stream_options");

    private ChatOnlyResponder() {}

    static Reply answer(RecordedRequest r) {
        try {
            if (!r.uri().equals("/v1/chat/completions")) {
                return error(404, "Unknown request URL: " + r.method() + " " + r.uri());
            }
            JsonNode body = JSON.readTree(r.body());
            String problem = validate(body);
            if (problem != null) {
                return error(400, problem);
            }
            String model = body.path("model").asText();
            JsonNode messages = body.get("messages");
            boolean lastIsUser =
                    messages.get(messages.size() - 1).path("role").asText().equals("user");
            boolean call = body.has("tools") && lastIsUser;
            boolean stream = body.path("stream").asBoolean(false);
            boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
            String text = lastIsUser ? "Hello there" : "It is sunny in Paris.";
            if (!stream) {
                String message = call
                        ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_chat_1\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}"
                        : "{\"role\":\"assistant\",\"content\":\"" + text + "\"}";
                return Reply.json(
                        200,
                        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\""
                                + model
                                + "\",\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\""
                                + (call ? "tool_calls" : "stop") + "\"}],"
                                + "\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":5,\"total_tokens\":26,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}");
            }
            List<String> events = new ArrayList<>();
            events.add(chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", null));
            if (call) {
                events.add(chunk(
                        model,
                        "{\"tool_calls\":[{\"index\":0,\"id\":\"call_chat_1\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
                        null));
                String args = "{\"city\":\"Paris\"}";
                for (int i = 0; i < args.length(); i++) {
                    String c = args.substring(i, i + 1).replace("\"", "\\\"");
                    events.add(chunk(
                            model,
                            "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"" + c + "\"}}]}",
                            null));
                }
            } else {
                events.add(chunk(model, "{\"content\":\"" + text.substring(0, 5) + "\"}", null));
                events.add(chunk(model, "{\"content\":\"" + text.substring(5) + "\"}", null));
            }
            events.add(chunk(model, "{}", call ? "tool_calls" : "stop"));
            if (usage) {
                events.add(
                        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                                + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":5,"
                                + "\"total_tokens\":26,\"prompt_tokens_details\":{\"cached_tokens\":4}}}");
            }
            return Reply.sse(events);
        } catch (Exception e) {
            return error(400, "We could not parse the JSON body of your request.");
        }
    }

    private static String validate(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_LEVEL.contains(f)) {
                return "Unrecognized request argument supplied: " + f;
            }
        }
        if (body.has("stream_options") && !body.path("stream").asBoolean(false)) {
            return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "Missing required parameter: 'messages'.";
        }
        Set<String> calls = new HashSet<>();
        for (JsonNode m : messages) {
            for (JsonNode c : m.path("tool_calls")) {
                calls.add(c.path("id").asText());
            }
            if (m.path("role").asText().equals("tool")
                    && !calls.contains(m.path("tool_call_id").asText())) {
                return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message"
                        + " with 'tool_calls'.";
            }
        }
        return null;
    }

    private static String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static Reply error(int status, String message) {
        return Reply.json(
                status,
                "{\"error\":{\"message\":\"" + message.replace("\"", "'")
                        + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
    }
}
