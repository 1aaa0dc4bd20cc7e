package io.aigw.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.core.exchange.ClientApi;
import org.junit.jupiter.api.Test;

class ApiErrorShapesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anthropicClientsGetAnthropicsShapeTypedByStatus() throws Exception {
        JsonNode n = JSON.readTree(ApiError.unauthorized().toJsonBytes(ClientApi.ANTHROPIC));
        assertEquals("error", n.get("type").asText());
        assertEquals("authentication_error", n.at("/error/type").asText());
        assertTrue(n.at("/error/message").asText().contains("x-api-key"));
        assertEquals(2, n.get("error").size(), "only type and message");
        int[] statuses = {400, 401, 402, 403, 404, 413, 429, 500, 502, 503, 504, 529, 418};
        String[] types = {
            "invalid_request_error",
            "authentication_error",
            "billing_error",
            "permission_error",
            "not_found_error",
            "request_too_large",
            "rate_limit_error",
            "api_error",
            "api_error",
            "overloaded_error",
            "timeout_error",
            "overloaded_error",
            "invalid_request_error"
        };
        for (int i = 0; i < statuses.length; i++) {
            assertEquals(types[i], new ApiError(statuses[i], "t", "c", null, "m").anthropicType(), "" + statuses[i]);
        }
    }

    @Test
    void openAiAndResponsesClientsGetOpenAisShape() throws Exception {
        ApiError e = ApiError.modelNotFound("x");
        for (ClientApi api : new ClientApi[] {ClientApi.OPENAI, ClientApi.RESPONSES}) {
            JsonNode n = JSON.readTree(e.toJsonBytes(api));
            assertEquals("model_not_found", n.at("/error/code").asText());
            assertEquals("model", n.at("/error/param").asText());
            assertEquals("invalid_request_error", n.at("/error/type").asText());
        }
    }
}
