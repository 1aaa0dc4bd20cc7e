package io.aigw.adapters.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import java.util.List;

/**
 * The OpenAI fields that become Gemini's {@code generationConfig}, as a table (one line per field),
 * then response_format and reasoning_effort, which need more than a rename. The first OpenAI name
 * present wins, so max_completion_tokens (the current name) beats the deprecated max_tokens.
 */
final class GenerationFields {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    enum Kind {
        NUMBER,
        INTEGER,
        STOP
    }

    record Field(String gemini, Kind kind, String... openAi) {}

    static final List<Field> TABLE = List.of(
            new Field("temperature", Kind.NUMBER, "temperature"),
            new Field("topP", Kind.NUMBER, "top_p"),
            new Field("maxOutputTokens", Kind.INTEGER, "max_completion_tokens", "max_tokens"),
            new Field("stopSequences", Kind.STOP, "stop"),
            new Field("seed", Kind.INTEGER, "seed"),
            new Field("presencePenalty", Kind.NUMBER, "presence_penalty"),
            new Field("frequencyPenalty", Kind.NUMBER, "frequency_penalty"));

    private GenerationFields() {}

    /** The generationConfig object, or null when the request sets nothing for it. */
    static ObjectNode map(JsonNode root) {
        ObjectNode config = NODES.objectNode();
        for (Field f : TABLE) {
            for (String name : f.openAi()) {
                JsonNode v = root.get(name);
                if (v != null && !v.isNull()) {
                    config.set(f.gemini(), check(name, f.kind(), v));
                    break;
                }
            }
        }
        responseFormat(root.get("response_format"), config);
        reasoning(root.get("reasoning_effort"), config);
        return config.isEmpty() ? null : config;
    }

    /** json_object → JSON output; json_schema → JSON output held to the (cleaned) schema; text → nothing. */
    private static void responseFormat(JsonNode rf, ObjectNode config) {
        if (rf == null || rf.isNull()) {
            return;
        }
        switch (rf.path("type").asText("")) {
            case "text" -> {}
            case "json_object" -> config.put("responseMimeType", "application/json");
            case "json_schema" -> {
                JsonNode schema = rf.path("json_schema").get("schema");
                if (schema == null || !schema.isObject()) {
                    throw new ApiException(ApiError.badRequest(
                            "invalid_value",
                            "response_format",
                            "response_format.json_schema.schema must be an object."));
                }
                config.put("responseMimeType", "application/json");
                config.set("responseSchema", GeminiSchemas.clean(schema));
            }
            default ->
                throw new ApiException(ApiError.badRequest(
                        "invalid_value",
                        "response_format",
                        "response_format.type must be text, json_object or json_schema."));
        }
    }

    /** A thinking budget per effort, as LiteLLM maps it; "none" turns thinking off where the model allows. */
    private static void reasoning(JsonNode effort, ObjectNode config) {
        if (effort == null || effort.isNull()) {
            return;
        }
        int budget = switch (effort.asText("")) {
            case "none" -> 0;
            case "minimal" -> 128;
            case "low" -> 1024;
            case "medium" -> 2048;
            case "high" -> 4096;
            default ->
                throw new ApiException(ApiError.badRequest(
                        "invalid_value",
                        "reasoning_effort",
                        "reasoning_effort must be none, minimal, low, medium or high."));
        };
        config.putObject("thinkingConfig").put("thinkingBudget", budget);
    }

    private static JsonNode check(String name, Kind kind, JsonNode v) {
        switch (kind) {
            case NUMBER:
                if (!v.isNumber()) {
                    throw type(name, "a number");
                }
                return v;
            case INTEGER:
                if (!v.isIntegralNumber()) {
                    throw type(name, "an integer");
                }
                return v;
            default: // Gemini takes stop sequences only as an array
                if (v.isTextual()) {
                    return NODES.arrayNode().add(v);
                }
                if (v.isArray()) {
                    for (JsonNode s : v) {
                        if (!s.isTextual()) {
                            throw type(name, "a string or an array of strings");
                        }
                    }
                    return v;
                }
                throw type(name, "a string or an array of strings");
        }
    }

    private static ApiException type(String name, String what) {
        return new ApiException(ApiError.badRequest("invalid_type", name, name + " must be " + what + "."));
    }
}
