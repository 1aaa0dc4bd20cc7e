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
 * becomes {@code anyOf} and a string {@code const} a one-value {@code enum}. Gemini's schema has
 * no references, so a local {@code $ref} into {@code $defs} or {@code definitions} (as pydantic
 * writes nested models) is inlined; a recursive one stops after {@link #MAX_REF_DEPTH} levels.
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

    static final int MAX_REF_DEPTH = 6;

    private GeminiSchemas() {}

    /** A cleaned copy; anything that is not an object is passed as it is (Gemini will say what is wrong). */
    static JsonNode clean(JsonNode schema) {
        return clean(schema, schema, 0);
    }

    private static JsonNode clean(JsonNode schema, JsonNode root, int refDepth) {
        if (schema == null || !schema.isObject()) {
            return schema;
        }
        ObjectNode out = NODES.objectNode();
        JsonNode ref = schema.get("$ref");
        if (ref != null && ref.isTextual()) {
            JsonNode target = resolve(root, ref.textValue());
            if (target != null && refDepth < MAX_REF_DEPTH) {
                JsonNode inlined = clean(target, root, refDepth + 1);
                if (inlined.isObject()) {
                    out.setAll((ObjectNode) inlined); // the referring schema's own keys (a description) win below
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "type" -> type(v, out);
                case "properties" -> {
                    if (v.isObject()) {
                        ObjectNode props = out.putObject("properties");
                        v.fields().forEachRemaining(p -> props.set(p.getKey(), clean(p.getValue(), root, refDepth)));
                    }
                }
                case "items" -> out.set("items", clean(v, root, refDepth));
                case "anyOf", "oneOf" -> {
                    if (v.isArray()) {
                        ArrayNode any = out.putArray("anyOf");
                        v.forEach(s -> any.add(clean(s, root, refDepth)));
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

    /** {@code #/$defs/Name} or {@code #/definitions/Name} in the root schema, else null (remote refs are not fetched). */
    private static JsonNode resolve(JsonNode root, String ref) {
        for (String prefix : new String[] {"#/$defs/", "#/definitions/"}) {
            if (ref.startsWith(prefix)) {
                JsonNode defs = root.get(prefix.substring(2, prefix.length() - 1));
                JsonNode target = defs == null ? null : defs.get(ref.substring(prefix.length()));
                return target != null && target.isObject() ? target : null;
            }
        }
        return null;
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
