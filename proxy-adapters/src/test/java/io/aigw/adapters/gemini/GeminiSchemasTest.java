package io.aigw.adapters.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GeminiSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode clean(String schema) throws Exception {
        return GeminiSchemas.clean(JSON.readTree(schema));
    }

    @Test
    void localRefsAreInlinedAsPydanticWritesThem() throws Exception {
        JsonNode out = clean("""
                {"$defs":{"City":{"title":"City","type":"object","additionalProperties":false,
                   "properties":{"name":{"type":"string"}},"required":["name"]}},
                 "type":"object","properties":{
                   "home":{"$ref":"#/$defs/City","description":"Where you live"},
                   "trips":{"type":"array","items":{"$ref":"#/definitions/Missing"}},
                   "remote":{"$ref":"https://example.com/schema.json"}}}""");
        assertEquals(JSON.readTree("""
                        {"type":"object","properties":{
                          "home":{"title":"City","type":"object","properties":{"name":{"type":"string"}},
                                  "required":["name"],"description":"Where you live"},
                          "trips":{"type":"array","items":{}},
                          "remote":{}}}"""), out);
    }

    @Test
    void aRecursiveRefStopsAfterAFewLevels() throws Exception {
        JsonNode out = clean("""
                {"$defs":{"Node":{"type":"object","properties":{"child":{"$ref":"#/$defs/Node"}}}},
                 "$ref":"#/$defs/Node"}""");
        int depth = 0;
        for (JsonNode n = out; n.has("properties"); n = n.at("/properties/child")) {
            depth++;
        }
        assertEquals(GeminiSchemas.MAX_REF_DEPTH, depth);
    }
}
