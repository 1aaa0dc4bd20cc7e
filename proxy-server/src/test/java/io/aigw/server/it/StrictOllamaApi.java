package io.aigw.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A mock of Ollama's native API that is stricter than the real one where a gateway could go
 * wrong: unknown top-level or option fields, a missing {@code stream} (Ollama would silently
 * stream), non-string content, tool-call arguments that are not objects, images with a data: prefix.
 * Valid chat requests get tool calls (when tools are offered and the last turn is not a tool
 * result) or text, as one JSON object or as NDJSON in several chunks, one line split across two.
 * Model {@code missing} is Ollama's 404.
 */
final class StrictOllamaApi {
    static final String CLOUD_KEY = "ollama-cloud-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CHAT_FIELDS =
            Set.of("model", "messages", "tools", "format", "options", "stream", "keep_alive", "think");
    private static final Set<String> OPTIONS = Set.of(
            "temperature", "top_p", "top_k", "seed", "stop", "num_predict", "presence_penalty", "frequency_penalty");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "images", "tool_calls", "tool_name");
    private static final Set<String> EMBED_FIELDS =
            Set.of("model", "input", "truncate", "dimensions", "options", "keep_alive");
    /** Exactly representable as float32, so base64 round trips compare exactly. */
    static final List<Float> VECTOR = List.of(0.5f, -0.25f, 0.125f, 3.0f);

    private StrictOllamaApi() {}

    static Reply answer(RecordedRequest r) {
        try {
            String auth = r.header("authorization");
            if (auth != null && !auth.equals("Bearer " + CLOUD_KEY)) {
                return error(401, "unauthorized");
            }
            JsonNode body = JSON.readTree(r.body());
            if (body.path("model").asText().equals("missing")) {
                return error(404, "model 'missing' not found");
            }
            return switch (r.uri()) {
                case "/api/chat" -> chat(body);
                case "/api/embed" -> embed(body);
                default -> Reply.text(404, "text/plain", "404 page not found");
            };
        } catch (Exception e) {
            return error(400, "invalid character: " + e.getMessage());
        }
    }

    private static Reply chat(JsonNode body) {
        String problem = unknown(body, CHAT_FIELDS, "");
        if (problem == null && !body.path("stream").isBoolean()) {
            problem = "stream must be sent explicitly (the gateway cannot read an unexpected stream)";
        }
        if (problem == null && body.has("options")) {
            problem = unknown(body.get("options"), OPTIONS, "options.");
        }
        if (problem == null) {
            problem = messages(body.path("messages"));
        }
        if (problem != null) {
            return error(400, problem);
        }
        String model = body.get("model").asText();
        boolean stream = body.get("stream").booleanValue();
        JsonNode messages = body.get("messages");
        boolean afterTool =
                messages.get(messages.size() - 1).path("role").asText().equals("tool");
        if (body.has("tools") && !afterTool) {
            return toolCalls(model, stream);
        }
        return text(model, stream, afterTool ? "It is sunny in Paris." : "Hello there");
    }

    private static String messages(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            return "messages required";
        }
        for (JsonNode m : messages) {
            String problem = unknown(m, MESSAGE_FIELDS, "message.");
            if (problem != null) {
                return problem;
            }
            if (!Set.of("system", "user", "assistant", "tool")
                    .contains(m.path("role").asText())) {
                return "invalid role " + m.path("role");
            }
            if (!m.path("content").isTextual()) {
                return "json: cannot unmarshal array into Go struct field Message.messages.content of type string";
            }
            for (JsonNode image : m.path("images")) {
                if (image.asText().startsWith("data:")) {
                    return "illegal base64 data at input byte 4";
                }
            }
            for (JsonNode call : m.path("tool_calls")) {
                if (!call.path("function").path("arguments").isObject()) {
                    return "json: cannot unmarshal string into Go struct field ToolCallFunction.arguments";
                }
            }
        }
        return null;
    }

    private static String unknown(JsonNode object, Set<String> known, String prefix) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                return "json: unknown field \"" + prefix + f + "\"";
            }
        }
        return null;
    }

    private static Reply text(String model, boolean stream, String text) {
        String done = "\"done\":true,\"done_reason\":\"stop\",\"total_duration\":4883583458,\"load_duration\":1334875,"
                + "\"prompt_eval_count\":11,\"prompt_eval_duration\":342546000,\"eval_count\":7,\"eval_duration\":4535599000}";
        if (!stream) {
            return Reply.json(
                    200, head(model) + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"}," + done);
        }
        String first = line(model, text.substring(0, 3), "\"done\":false}");
        String second = line(model, text.substring(3), "\"done\":false}");
        String last = line(model, "", done);
        // Chunks that cut a line in the middle and put two lines in one chunk.
        return Reply.ndjson(List.of(
                first.substring(0, 20), first.substring(20) + second, last.substring(0, 40), last.substring(40)));
    }

    private static Reply toolCalls(String model, boolean stream) {
        String calls =
                "\"tool_calls\":[{\"function\":{\"index\":0,\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}},"
                        + "{\"function\":{\"index\":1,\"name\":\"get_time\",\"arguments\":{}}}]";
        String done = "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":20,\"eval_count\":15}";
        if (!stream) {
            return Reply.json(
                    200, head(model) + "\"message\":{\"role\":\"assistant\",\"content\":\"\"," + calls + "}," + done);
        }
        List<String> chunks = new ArrayList<>();
        chunks.add(line(model, "Checking.", "\"done\":false}"));
        chunks.add(
                head(model) + "\"message\":{\"role\":\"assistant\",\"content\":\"\"," + calls + "},\"done\":false}\n");
        chunks.add(line(model, "", done));
        return Reply.ndjson(chunks);
    }

    private static String head(String model) {
        return "{\"model\":\"" + model + "\",\"created_at\":\"2025-10-17T23:14:07.414671Z\",";
    }

    private static String line(String model, String content, String rest) {
        return head(model) + "\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\"}," + rest + "\n";
    }

    private static Reply embed(JsonNode body) {
        String problem = unknown(body, EMBED_FIELDS, "");
        JsonNode input = body.path("input");
        if (problem == null && !input.isTextual() && !input.isArray()) {
            problem = "invalid input type";
        }
        if (problem != null) {
            return error(400, problem);
        }
        int n = input.isArray() ? input.size() : 1;
        StringBuilder s = new StringBuilder("{\"model\":\"" + body.get("model").asText() + "\",\"embeddings\":[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append("[0.5,-0.25,0.125,3]");
        }
        return Reply.json(
                200,
                s.append("],\"total_duration\":14143917,\"load_duration\":1019500,\"prompt_eval_count\":")
                        .append(4 * n)
                        .append('}')
                        .toString());
    }

    private static Reply error(int status, String message) {
        return Reply.json(status, "{\"error\":\"" + message.replace("\"", "'") + "\"}");
    }
}
