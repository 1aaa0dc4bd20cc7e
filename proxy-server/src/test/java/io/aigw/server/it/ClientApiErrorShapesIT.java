package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every answer the gateway itself gives is in the shape of the API the client speaks, known from the path:
 * Anthropic's on /v1/messages (from the 401 on, before anything else is read), OpenAI's elsewhere.
 */
class ClientApiErrorShapesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(r -> Reply.json(500, "{}"));
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0, max_body_bytes: 4096}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  m1: {providers: {mock: {}}}
                """.formatted(ProxyHarness.KEY, upstream.baseUrl()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
    }

    private static void assertAnthropic(HttpResponse<String> r, int status, String type) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("error", n.path("type").asText(), r.body());
        assertEquals(type, n.at("/error/type").asText(), r.body());
        assertTrue(n.at("/error/message").asText().length() > 0, r.body());
    }

    @Test
    void aMissingKeyOnMessagesIsAnAnthropicAuthenticationError() throws Exception {
        HttpResponse<String> r = proxy.call("POST", "/v1/messages", null);
        assertAnthropic(r, 401, "authentication_error");
        assertTrue(r.body().contains("x-api-key"), r.body());
    }

    @Test
    void anUnknownModelOnMessagesIsAnAnthropicNotFound() throws Exception {
        assertAnthropic(
                proxy.post(
                        "/v1/messages",
                        "{\"model\":\"nope\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                404,
                "not_found_error");
    }

    @Test
    void aBadBodyOnMessagesIsAnAnthropicInvalidRequest() throws Exception {
        assertAnthropic(proxy.post("/v1/messages", "{\"model\":"), 400, "invalid_request_error");
        assertAnthropic(proxy.post("/v1/messages", "{\"model\":\"m1\",\"messages\":[]}"), 400, "invalid_request_error");
    }

    @Test
    void aWrongMethodOnMessagesIsAnAnthropicError() throws Exception {
        assertAnthropic(proxy.call("GET", "/v1/messages", ProxyHarness.KEY), 405, "invalid_request_error");
    }

    @Test
    void aBodyTooLargeOnMessagesIsAnAnthropicError() throws Exception {
        String big = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}]}";
        assertAnthropic(proxy.post("/v1/messages", big), 413, "request_too_large");
    }

    @Test
    void chatAndResponsesClientsStillGetOpenAisShape() throws Exception {
        HttpResponse<String> chat = proxy.call("POST", "/v1/chat/completions", null);
        assertEquals(401, chat.statusCode());
        assertError(chat.body(), "invalid_request_error", "invalid_api_key", null);
        HttpResponse<String> responses = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/responses")))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"nope\",\"input\":\"hi\"}"))
                .build());
        assertEquals(404, responses.statusCode());
        assertError(responses.body(), "invalid_request_error", "model_not_found", "model");
    }
}
