package io.aigw.adapters.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The one-to-one scalar mappings as a table, so adding or reviewing a field is a one-line change.
 * Table order is output order. Fields needing more than a type check and a value map (messages,
 * max tokens, stop, user, tools, tool_choice, response_format, n) are handled by the translator.
 */
final class ScalarFields {
    enum Kind {
        NUMBER,
        INTEGER,
        BOOLEAN
    }

    record Field(String openAi, String anthropic, Kind kind, UnaryOperator<JsonNode> map) {}

    static final List<Field> TABLE = List.of(
            // Anthropic's range is 0..1 where OpenAI's is 0..2; clamping (as Anthropic's own compat
            // layer does) keeps "hotter than default" requests working instead of failing upstream.
            new Field("temperature", "temperature", Kind.NUMBER, ScalarFields::atMostOne),
            new Field("top_p", "top_p", Kind.NUMBER, UnaryOperator.identity()),
            new Field("top_k", "top_k", Kind.INTEGER, UnaryOperator.identity()),
            new Field("stream", "stream", Kind.BOOLEAN, UnaryOperator.identity()));

    /**
     * OpenAI fields Claude has no use for. Listed for review and tests only: every field the
     * translator does not map is left out of the Anthropic body anyway, since an unknown field
     * there is a 400 from upstream.
     */
    static final Set<String> DROPPED = Set.of(
            "n",
            "presence_penalty",
            "frequency_penalty",
            "seed",
            "logit_bias",
            "logprobs",
            "top_logprobs",
            "stream_options",
            "store",
            "metadata",
            "service_tier",
            "modalities",
            "audio",
            "prediction",
            "reasoning_effort");

    private ScalarFields() {}

    /** The mapped fields present in {@code root}, in table order; a wrong type is a 400 on that field. */
    static List<Map.Entry<String, JsonNode>> map(JsonNode root) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>(TABLE.size());
        for (Field f : TABLE) {
            JsonNode v = Invalid.field(root, f.openAi());
            if (v == null) {
                continue;
            }
            if (!hasKind(v, f.kind())) {
                throw Invalid.type(f.openAi(), f.openAi() + " must be " + describe(f.kind()) + ".");
            }
            out.add(Map.entry(f.anthropic(), f.map().apply(v)));
        }
        return out;
    }

    private static boolean hasKind(JsonNode v, Kind kind) {
        switch (kind) {
            case NUMBER:
                return v.isNumber();
            case INTEGER:
                return v.isIntegralNumber();
            default:
                return v.isBoolean();
        }
    }

    private static String describe(Kind kind) {
        return kind == Kind.BOOLEAN ? "a boolean" : kind == Kind.INTEGER ? "an integer" : "a number";
    }

    private static JsonNode atMostOne(JsonNode v) {
        return v.doubleValue() > 1.0 ? DoubleNode.valueOf(1.0) : v;
    }
}
