package io.aigw.server.it;

import java.util.ArrayList;
import java.util.List;

/**
 * Tool-call answers in OpenAI's wire format, as OpenAI sends them: two parallel calls, whole in a
 * plain answer; in a stream, the first fragment of each call carries id, type and name, later ones
 * only argument pieces, and the finish chunk says tool_calls.
 */
final class OpenAiToolCallAnswers {
    private OpenAiToolCallAnswers() {}

    static String plain(String model) {
        return "{\"id\":\"chatcmpl-tc\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + model
                + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":null,"
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},{\"id\":\"call_2\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_time\",\"arguments\":\"{}\"}}]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":20,\"total_tokens\":50}}";
    }

    static List<String> streamEvents(String model) {
        List<String> events = new ArrayList<>();
        events.add(chunk(
                model,
                "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
                null));
        events.add(
                chunk(model, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null));
        events.add(
                chunk(model, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}", null));
        events.add(chunk(
                model,
                "{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}",
                null));
        events.add(chunk(model, "{}", "tool_calls"));
        return events;
    }

    private static String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-tcs\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }
}
