package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Asserts OpenAI's error shape: exactly message, type, param and code under "error", nulls explicit. */
public final class ErrorShape {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorShape() {}

    public static JsonNode assertError(String body, String type, String code, String param) throws Exception {
        JsonNode root = JSON.readTree(body);
        assertEquals(1, root.size(), "only an error key at the top: " + body);
        JsonNode error = root.get("error");
        assertTrue(error != null && error.isObject(), body);
        List<String> keys = new ArrayList<>();
        error.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("message", "type", "param", "code"), keys, body);
        assertTrue(
                error.get("message").isTextual()
                        && !error.get("message").asText().isEmpty(),
                body);
        assertEquals(type, error.get("type").asText(), body);
        if (code == null) {
            assertTrue(error.get("code").isNull(), body);
        } else {
            assertEquals(code, error.get("code").asText(), body);
        }
        if (param == null) {
            assertTrue(error.get("param").isNull(), body);
        } else {
            assertEquals(param, error.get("param").asText(), body);
        }
        return error;
    }

    public static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }
}
