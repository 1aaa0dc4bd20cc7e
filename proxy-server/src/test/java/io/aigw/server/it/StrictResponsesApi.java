package io.aigw.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mock of OpenAI's native Responses API (openapi.yaml: CreateResponse, Response,
 * ResponseStreamEvent) that rejects what the real one rejects: {@code messages} (a chat body),
 * {@code stream_options.include_usage} (a chat option), unknown top-level keys, a missing model or
 * input, a wrong key, an unknown {@code previous_response_id}. It answers a function call when
 * function tools are offered and the last input item is not a function_call_output, else text;
 * as a Response object or as the real event sequence (created, in_progress, per item added /
 * deltas / done, completed with the whole output and usage, no [DONE]). Responses are stored
 * (store defaults to true) for GET and DELETE {@code /v1/responses/{id}}.
 */
final class StrictResponsesApi {
    static final String KEY = "sk-openai-native-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of(
            "model",
            "input",
            "instructions",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "text",
            "reasoning",
            "max_output_tokens",
            "max_tool_calls",
            "temperature",
            "top_p",
            "top_logprobs",
            "user",
            "safety_identifier",
            "prompt_cache_key",
            "metadata",
            "store",
            "stream",
            "stream_options",
            "previous_response_id",
            "conversation",
            "include",
            "truncation",
            "background",
            "service_tier",
            "prompt");

    private final Map<String, ObjectNode> stored = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** Ids of the stored responses (what GET can find). */
    Set<String> storedIds() {
        return stored.keySet();
    }

    Reply answer(RecordedRequest r) {
        try {
            if (!("Bearer " + KEY).equals(r.header("authorization"))) {
                return error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.");
            }
            String path = r.uri().contains("?") ? r.uri().substring(0, r.uri().indexOf('?')) : r.uri();
            if (path.equals("/v1/responses") && r.method().equals("POST")) {
                return create(JSON.readTree(r.body()));
            }
            if (path.startsWith("/v1/responses/")) {
                return item(r.method(), path.substring("/v1/responses/".length()));
            }
            return error(
                    404, "invalid_request_error", "unknown_url", "Unknown request URL: " + r.method() + " " + path);
        } catch (Exception e) {
            return error(400, "invalid_request_error", null, "We could not parse the JSON body of your request.");
        }
    }

    private Reply item(String method, String rest) {
        String id = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        ObjectNode found = stored.get(id);
        if (found == null) {
            return error(404, "invalid_request_error", null, "Response with id '" + id + "' not found.");
        }
        if (rest.endsWith("/input_items") && method.equals("GET")) {
            return Reply.json(
                    200, "{\"object\":\"list\",\"data\":[],\"first_id\":null,\"last_id\":null,\"has_more\":false}");
        }
        if (rest.contains("/")) {
            return error(404, "invalid_request_error", "unknown_url", "Unknown request URL.");
        }
        switch (method) {
            case "GET":
                return Reply.json(200, found.toString());
            case "DELETE":
                stored.remove(id);
                return Reply.json(200, "{\"id\":\"" + id + "\",\"object\":\"response\",\"deleted\":true}");
            default:
                return error(405, "invalid_request_error", null, "Method not allowed.");
        }
    }

    private Reply create(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_LEVEL.contains(f)) {
                return error(400, "invalid_request_error", "unknown_parameter", "Unknown parameter: '" + f + "'.");
            }
        }
        if (body.path("stream_options").has("include_usage")) {
            return error(
                    400,
                    "invalid_request_error",
                    "unknown_parameter",
                    "Unknown parameter: 'stream_options.include_usage'.");
        }
        if (!body.path("model").isTextual()) {
            return error(
                    400, "invalid_request_error", "missing_required_parameter", "Missing required parameter: 'model'.");
        }
        JsonNode input = body.path("input");
        if (!input.isTextual() && !input.isArray()) {
            return error(
                    400, "invalid_request_error", "missing_required_parameter", "Missing required parameter: 'input'.");
        }
        String previous = body.path("previous_response_id").asText(null);
        if (previous != null && !stored.containsKey(previous)) {
            return error(
                    400,
                    "invalid_request_error",
                    "previous_response_not_found",
                    "Previous response with id '" + previous + "' not found.");
        }
        boolean afterToolOutput = input.isArray()
                && !input.isEmpty()
                && input.get(input.size() - 1).path("type").asText().equals("function_call_output");
        boolean callTool = !afterToolOutput && hasFunctionTool(body.path("tools"));
        String id = "resp_native_" + ids.incrementAndGet();
        ObjectNode item = callTool
                ? functionCall("fc_" + id, "call_" + id, "get_weather", "{\"city\":\"Paris\"}")
                : message("msg_" + id, afterToolOutput ? "It is sunny in Paris." : "Hello there");
        ObjectNode response = response(id, body, "completed", List.of(item));
        response.set("usage", usage(11, 7));
        if (body.path("store").asBoolean(true)) {
            stored.put(id, response);
        }
        if (!body.path("stream").asBoolean(false)) {
            return Reply.json(200, response.toString());
        }
        return Reply.sseRaw(events(body, response, item));
    }

    private static boolean hasFunctionTool(JsonNode tools) {
        for (JsonNode t : tools) {
            if (t.path("type").asText().equals("function")) {
                return true;
            }
        }
        return false;
    }

    /** The real order: created, in_progress, the item's events, completed; sequence_number from 0. */
    private static List<String> events(JsonNode body, ObjectNode done, ObjectNode item) {
        List<String> out = new ArrayList<>();
        int[] seq = {0};
        ObjectNode start = response(done.path("id").asText(), body, "in_progress", List.of());
        out.add(event("response.created", seq, o -> o.set("response", start)));
        out.add(event("response.in_progress", seq, o -> o.set("response", start)));
        String itemId = item.path("id").asText();
        ObjectNode added = item.deepCopy().put("status", "in_progress");
        if (item.path("type").asText().equals("message")) {
            added.putArray("content");
            out.add(event(
                    "response.output_item.added",
                    seq,
                    o -> o.put("output_index", 0).set("item", added)));
            ObjectNode emptyPart =
                    JSON.createObjectNode().put("type", "output_text").put("text", "");
            emptyPart.putArray("annotations");
            emptyPart.putArray("logprobs");
            out.add(event(
                    "response.content_part.added",
                    seq,
                    o -> ref(o, itemId).put("content_index", 0).set("part", emptyPart)));
            String text = item.path("content").get(0).path("text").asText();
            for (String d : new String[] {text.substring(0, 3), text.substring(3)}) {
                out.add(event("response.output_text.delta", seq, o -> {
                    ref(o, itemId).put("content_index", 0).put("delta", d);
                    o.putArray("logprobs");
                }));
            }
            out.add(event("response.output_text.done", seq, o -> {
                ref(o, itemId).put("content_index", 0).put("text", text);
                o.putArray("logprobs");
            }));
            out.add(event(
                    "response.content_part.done",
                    seq,
                    o -> ref(o, itemId)
                            .put("content_index", 0)
                            .set("part", item.path("content").get(0))));
        } else {
            added.put("arguments", "");
            out.add(event(
                    "response.output_item.added",
                    seq,
                    o -> o.put("output_index", 0).set("item", added)));
            String args = item.path("arguments").asText();
            for (int i = 0; i < args.length(); i += 4) {
                String d = args.substring(i, Math.min(args.length(), i + 4));
                out.add(event(
                        "response.function_call_arguments.delta",
                        seq,
                        o -> ref(o, itemId).put("delta", d)));
            }
            out.add(event(
                    "response.function_call_arguments.done",
                    seq,
                    o -> ref(o, itemId).put("name", item.path("name").asText()).put("arguments", args)));
        }
        out.add(event(
                "response.output_item.done", seq, o -> o.put("output_index", 0).set("item", item)));
        out.add(event("response.completed", seq, o -> o.set("response", done)));
        return out;
    }

    private static ObjectNode ref(ObjectNode o, String itemId) {
        return o.put("item_id", itemId).put("output_index", 0);
    }

    private static String event(String type, int[] seq, java.util.function.Consumer<ObjectNode> fill) {
        ObjectNode o = JSON.createObjectNode().put("type", type).put("sequence_number", seq[0]++);
        fill.accept(o);
        return "event: " + type + "\ndata: " + o + "\n\n";
    }

    private static ObjectNode response(String id, JsonNode body, String status, List<ObjectNode> output) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id).put("object", "response").put("created_at", 1741476777).put("status", status);
        r.putNull("error");
        r.putNull("incomplete_details");
        r.set("instructions", body.get("instructions")); // null becomes an explicit null
        r.putNull("max_output_tokens");
        r.put("model", body.path("model").asText() + "-2025-01-01");
        ArrayNode out = r.putArray("output");
        output.forEach(out::add);
        r.put("parallel_tool_calls", true);
        r.set("previous_response_id", body.get("previous_response_id"));
        r.putObject("reasoning").putNull("effort").putNull("summary");
        r.put("store", body.path("store").asBoolean(true));
        r.put("temperature", 1.0);
        r.putObject("text").putObject("format").put("type", "text");
        r.put("tool_choice", "auto");
        r.set("tools", body.has("tools") ? body.get("tools") : JSON.createArrayNode());
        r.put("top_p", 1.0);
        r.put("truncation", "disabled");
        r.putNull("usage");
        r.putNull("user");
        r.putObject("metadata");
        return r;
    }

    private static ObjectNode message(String id, String text) {
        ObjectNode m = JSON.createObjectNode()
                .put("id", id)
                .put("type", "message")
                .put("status", "completed")
                .put("role", "assistant");
        ObjectNode part =
                m.putArray("content").addObject().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return m;
    }

    private static ObjectNode functionCall(String id, String callId, String name, String args) {
        return JSON.createObjectNode()
                .put("id", id)
                .put("type", "function_call")
                .put("status", "completed")
                .put("arguments", args)
                .put("call_id", callId)
                .put("name", name);
    }

    private static ObjectNode usage(int input, int output) {
        ObjectNode u = JSON.createObjectNode().put("input_tokens", input);
        u.putObject("input_tokens_details").put("cached_tokens", 3).put("cache_write_tokens", 0);
        u.put("output_tokens", output);
        u.putObject("output_tokens_details").put("reasoning_tokens", 0);
        u.put("total_tokens", input + output);
        return u;
    }

    private static Reply error(int status, String type, String code, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error")
                .put("message", message)
                .put("type", type)
                .putNull("param")
                .put("code", code);
        return Reply.json(status, e.toString());
    }
}
