package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/responses} over raw HTTP against a gateway whose only provider speaks chat completions:
 * what goes upstream (chat, with include_usage on streams), the Responses event stream on the wire
 * (named events, no [DONE], usage at the end), the 400s for what needs a native provider (in OpenAI's
 * error shape, before any upstream call), errors on the way back, and GET/DELETE by id (404: nothing
 * is stored).
 */
class ResponsesChatModeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(ChatOnlyResponder::answer);
        proxy = ProxyHarness.start(upstream.baseUrl(), null, "chat-model", "chat-1");
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
    }

    @BeforeEach
    void forget() {
        while (upstream.takeRequest(Duration.ZERO) != null) {}
    }

    @Test
    void upstreamGetsChat() throws Exception {
        HttpResponse<String> r = proxy.post("/v1/responses", """
                {"model":"chat-model","instructions":"Be brief.","input":[
                  {"role":"user","content":"Weather?"},
                  {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"},
                  {"type":"function_call_output","call_id":"call_1","output":"sunny"}],
                 "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}],
                 "max_output_tokens":50}""");
        assertEquals(200, r.statusCode(), r.body());
        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1/chat/completions", up.uri());
        assertEquals(JSON.readTree("""
                        {"model":"chat-1","messages":[
                          {"role":"system","content":"Be brief."},
                          {"role":"user","content":"Weather?"},
                          {"role":"assistant","content":null,"tool_calls":[
                            {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                          {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
                         "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                         "max_completion_tokens":50}"""), JSON.readTree(up.bodyUtf8()));
        JsonNode response = JSON.readTree(r.body());
        assertEquals("response", response.path("object").asText());
        assertTrue(response.path("id").asText().startsWith("resp_"), r.body());
        assertEquals("completed", response.path("status").asText());
        assertEquals(
                "It is sunny in Paris.", response.at("/output/0/content/0/text").asText());
        assertEquals("Be brief.", response.path("instructions").asText(), "the request's fields are echoed");
        assertEquals(21, response.at("/usage/input_tokens").asInt());
        assertEquals(4, response.at("/usage/input_tokens_details/cached_tokens").asInt());
        assertEquals("chat-1", r.headers().firstValue("x-proxy-model").orElse(null), "the deployment answered");
    }

    @Test
    void streamOnTheWire() throws Exception {
        HttpResponse<String> r = proxy.post(
                "/v1/responses",
                "{\"model\":\"chat-model\",\"input\":\"Weather in Paris?\",\"stream\":true,"
                        + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{}}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        JsonNode chat = JSON.readTree(up.bodyUtf8());
        assertTrue(chat.path("stream_options").path("include_usage").asBoolean(), "usage is always asked for");
        assertFalse(r.body().contains("[DONE]"), "a Responses stream has no [DONE]");
        List<String> names = new ArrayList<>();
        JsonNode last = null;
        String itemId = null;
        for (String event : r.body().split("\n\n")) {
            String[] lines = event.split("\n");
            assertEquals(2, lines.length, event);
            String name = lines[0].substring("event: ".length());
            JsonNode data = JSON.readTree(lines[1].substring("data: ".length()));
            assertEquals(name, data.path("type").asText());
            assertEquals(names.size(), data.path("sequence_number").asInt(), "contiguous sequence numbers");
            if (data.has("item_id")) {
                itemId = itemId == null ? data.get("item_id").asText() : itemId;
                assertEquals(itemId, data.get("item_id").asText(), "one id for the one item");
            }
            names.add(name);
            last = data;
        }
        assertEquals("response.created", names.get(0));
        assertEquals("response.in_progress", names.get(1));
        assertEquals("response.output_item.added", names.get(2));
        assertEquals(
                "{\"city\":\"Paris\"}".length(),
                names.stream()
                        .filter("response.function_call_arguments.delta"::equals)
                        .count(),
                "one-character fragments go out as they come");
        assertEquals("response.completed", names.get(names.size() - 1));
        assertEquals(
                "{\"city\":\"Paris\"}", last.at("/response/output/0/arguments").asText());
        assertEquals("call_chat_1", last.at("/response/output/0/call_id").asText());
        assertEquals(26, last.at("/response/usage/total_tokens").asInt());
    }

    /** What only a provider that keeps state (or runs hosted tools) can do: a 400 before any upstream call. */
    @Test
    void refusedBeforeAnyUpstreamCall() throws Exception {
        int before = upstream.requestCount();
        String[][] cases = {
            {"\"previous_response_id\":\"resp_1\"", "unsupported_parameter", "previous_response_id"},
            {"\"store\":true", "unsupported_parameter", "store"},
            {"\"background\":true", "unsupported_parameter", "background"},
            {"\"tools\":[{\"type\":\"web_search\"}]", "unsupported_value", "tools[0].type"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r =
                    proxy.post("/v1/responses", "{\"model\":\"chat-model\",\"input\":\"Hi\"," + c[0] + "}");
            assertEquals(400, r.statusCode(), r.body());
            JsonNode error = ErrorShape.assertError(r.body(), "invalid_request_error", c[1], c[2]);
            assertTrue(error.path("message").asText().contains("responses: native"), "says what works: " + r.body());
            if (c[1].equals("unsupported_parameter")) {
                assertTrue(error.path("message").asText().contains("'mock'"), "names the provider: " + r.body());
            }
        }
        assertEquals(before, upstream.requestCount());
    }

    @Test
    void upstreamErrorsKeepOpenAiShape() throws Exception {
        upstream.enqueue(Reply.json(
                429,
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
                        + "\"code\":\"rate_limit_exceeded\"}}"));
        HttpResponse<String> r = proxy.post("/v1/responses", "{\"model\":\"chat-model\",\"input\":\"Hi\"}");
        assertEquals(429, r.statusCode(), r.body());
        ErrorShape.assertError(r.body(), "requests", "rate_limit_exceeded", null);
    }

    /** A stream cut before its end: an error event, never a Response that looks complete. */
    @Test
    void cutStreamEndsWithAnErrorEvent() throws Exception {
        upstream.enqueue(Reply.sseRaw(
                List.of("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"chat-1\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},"
                        + "\"finish_reason\":null}]}\n\n")));
        HttpResponse<String> r =
                proxy.post("/v1/responses", "{\"model\":\"chat-model\",\"input\":\"Hi\",\"stream\":true}");
        assertEquals(200, r.statusCode());
        String[] events = r.body().split("\n\n");
        String lastEvent = events[events.length - 1];
        assertTrue(lastEvent.startsWith("event: error\ndata: "), r.body());
        JsonNode data = JSON.readTree(lastEvent.substring(lastEvent.indexOf("data: ") + 6));
        assertEquals(events.length - 1, data.path("sequence_number").asInt());
        assertTrue(data.has("code") && data.has("message") && data.has("param"), lastEvent);
        assertFalse(r.body().contains("response.completed"));
        assertEquals(1, r.body().split("event: error").length - 1, "one error event");
    }

    @Test
    void byIdIsNotFoundWithoutANativeProvider() throws Exception {
        for (String method : new String[] {"GET", "DELETE"}) {
            HttpResponse<String> r = proxy.call(method, "/v1/responses/resp_123", ProxyHarness.KEY);
            assertEquals(404, r.statusCode(), r.body());
            JsonNode error = ErrorShape.assertError(r.body(), "invalid_request_error", "not_found", null);
            assertTrue(error.path("message").asText().contains("responses: native"), r.body());
        }
        HttpResponse<String> noKey = proxy.call("GET", "/v1/responses/resp_123", null);
        assertEquals(401, noKey.statusCode());
        assertNull(upstream.takeRequest(Duration.ZERO), "nothing went upstream");
    }
}
