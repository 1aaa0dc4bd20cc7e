package io.aigw.adapters.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema (as OpenAI clients write tool parameters and response schemas) → Gemini's
 * OpenAPI-subset {@code Schema}. Gemini answers 400 for keys it does not know
 * ({@code additionalProperties}, {@code $schema}, {@code strict}, ...), so only its own keys are
 * kept, recursively; a {@code type} list with "null" becomes {@code nullable}, {@code oneOf}
 * becomes {@code anyOf} and a string {@code const} a one-value {@code enum}.
 */
final class GeminiSchemas {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Gemini's Schema fields, minus default/example (which older API versions refuse). */
    private static final Set<String> KEPT = Set.of(
            "type",
            "format",
            "title",
            "description",
            "nullable",
            "enum",
            "maxItems",
            "minItems",
            "properties",
            "required",
            "minProperties",
            "maxProperties",
            "minLength",
            "maxLength",
            "pattern",
            "anyOf",
            "propertyOrdering",
            "items",
            "minimum",
            "maximum");

    private GeminiSchemas() {}

    /** A cleaned copy; anything that is not an object is passed as it is (Gemini will say what is wrong). */
    static JsonNode clean(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return schema;
        }
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "type" -> type(v, out);
                case "properties" -> {
                    if (v.isObject()) {
                        ObjectNode props = out.putObject("properties");
                        v.fields().forEachRemaining(p -> props.set(p.getKey(), clean(p.getValue())));
                    }
                }
                case "items" -> out.set("items", clean(v));
                case "anyOf", "oneOf" -> {
                    if (v.isArray()) {
                        ArrayNode any = out.putArray("anyOf");
                        v.forEach(s -> any.add(clean(s)));
                    }
                }
                case "const" -> {
                    if (v.isTextual() && !schema.has("enum")) {
                        out.putArray("enum").add(v);
                    }
                }
                default -> {
                    if (KEPT.contains(key)) {
                        out.set(key, v);
                    }
                }
            }
        }
        return out;
    }

    /** {@code ["string","null"]} → type string, nullable; other lists keep their first non-null type. */
    private static void type(JsonNode v, ObjectNode out) {
        if (!v.isArray()) {
            out.set("type", v);
            return;
        }
        JsonNode first = null;
        for (JsonNode t : v) {
            if ("null".equals(t.asText())) {
                out.put("nullable", true);
            } else if (first == null) {
                first = t;
            }
        }
        if (first != null) {
            out.set("type", first);
        }
    }
}
