package io.aigw.adapters.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import java.util.List;

/**
 * The OpenAI sampling fields that become Ollama {@code options}, as a table: adding or reviewing
 * one is a one-line change. The first OpenAI name present wins, so max_completion_tokens (the
 * current name) beats the deprecated max_tokens. Table order is output order.
 */
final class OptionFields {
    enum Kind {
        NUMBER,
        INTEGER,
        STOP
    }

    record Field(String option, Kind kind, String... openAi) {}

    static final List<Field> TABLE = List.of(
            new Field("temperature", Kind.NUMBER, "temperature"),
            new Field("top_p", Kind.NUMBER, "top_p"),
            new Field("top_k", Kind.INTEGER, "top_k"),
            new Field("seed", Kind.INTEGER, "seed"),
            new Field("stop", Kind.STOP, "stop"),
            new Field("num_predict", Kind.INTEGER, "max_completion_tokens", "max_tokens"),
            new Field("presence_penalty", Kind.NUMBER, "presence_penalty"),
            new Field("frequency_penalty", Kind.NUMBER, "frequency_penalty"));

    private OptionFields() {}

    /** The options object, or null when the request sets none. A wrong type is a 400 on that field. */
    static ObjectNode map(JsonNode root) {
        ObjectNode options = null;
        for (Field f : TABLE) {
            for (String name : f.openAi()) {
                JsonNode v = root.get(name);
                if (v == null || v.isNull()) {
                    continue;
                }
                if (options == null) {
                    options = JsonNodeFactory.instance.objectNode();
                }
                options.set(f.option(), check(name, f.kind(), v));
                break;
            }
        }
        return options;
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
            default: // Ollama takes stop only as an array
                if (v.isTextual()) {
                    return JsonNodeFactory.instance.arrayNode().add(v);
                }
                if (v.isArray()) {
                    for (JsonNode s : v) {
                        if (!s.isTextual()) {
                            throw type(name, "a string or an array of strings");
                        }
                    }
                    return (ArrayNode) v;
                }
                throw type(name, "a string or an array of strings");
        }
    }

    private static ApiException type(String name, String what) {
        return new ApiException(ApiError.badRequest("invalid_type", name, name + " must be " + what + "."));
    }
}
