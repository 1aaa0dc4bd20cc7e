package io.aigw.server.it;

import static io.aigw.server.it.RequestLogIT.awaitRows;
import static io.aigw.server.it.RequestLogIT.json;
import static io.aigw.server.it.RequestLogIT.number;
import static io.aigw.server.it.RequestLogIT.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The request log through the real server for every client API: each exchange's row names the API the
 * client spoke ({@code client_api}), holds OpenAI-meaning token counts read from that API's usage, and
 * its streamed answer assembled into the one logged shape ({@code content}, {@code tool_calls},
 * {@code finish_reason}, {@code usage}). One server and one SQLite database for the class; rows are
 * told apart by their request ids and read back with plain JDBC.
 *
 * <p>{@code /v1/messages} goes to an {@code anthropic} provider (passed through: the mock's Anthropic
 * events reach the client as they are), {@code /v1/responses} to an {@code openai} provider at a local
 * address, which is served through chat (the mock answers chat, the client gets Responses events).
 */
class ClientApiLogIT {
    static final String ANTHROPIC_STREAM = String.join(
            "\n\n",
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-up\",\"stop_reason\":null,"
                    + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":3,"
                    + "\"cache_read_input_tokens\":100,\"output_tokens\":1}}}",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
            "event: ping\ndata: {\"type\":\"ping\"}",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Bonjour, \"}}",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"write to ann@example.com\"}}",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
                    + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"lookup\",\"input\":{}}}",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
                    + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\":\"}}",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
                    + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"x\\\"}\"}}",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}",
            "");
    static final String ANTHROPIC_MESSAGE = "{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}],\"model\":\"claude-up\",\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":0,"
            + "\"cache_read_input_tokens\":30,\"output_tokens\":4}}";
    static final List<String> CHAT_STREAM = List.of(
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-up\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}",
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-up\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}",
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-up\",\"choices\":[],"
                    + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}");

    static final String CHAT = "{\"id\":\"c2\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-up\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi there\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}";
    /** A native Responses stream: text, then a function call whose arguments come in two pieces. */
    static final String RESPONSES_STREAM = String.join(
            "\n\n",
            "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":"
                    + "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"in_progress\","
                    + "\"error\":null,\"incomplete_details\":null,\"model\":\"gpt-up\",\"output\":[],\"usage\":null}}",
            "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,"
                    + "\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\","
                    + "\"role\":\"assistant\",\"content\":[]}}",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,"
                    + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Checking.\"}",
            "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":3,"
                    + "\"output_index\":1,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\",\"status\":\"in_progress\","
                    + "\"call_id\":\"call_A\",\"name\":\"get_weather\",\"arguments\":\"\"}}",
            "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\","
                    + "\"sequence_number\":4,\"item_id\":\"fc_1\",\"output_index\":1,\"delta\":\"{\\\"city\\\":\"}",
            "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\","
                    + "\"sequence_number\":5,\"item_id\":\"fc_1\",\"output_index\":1,\"delta\":\"\\\"Paris\\\"}\"}",
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":6,\"response\":"
                    + "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"error\":null,"
                    + "\"incomplete_details\":null,\"model\":\"gpt-up\",\"output\":[],\"usage\":{\"input_tokens\":36,"
                    + "\"input_tokens_details\":{\"cached_tokens\":8},\"output_tokens\":20,"
                    + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":56}}}",
            "");

    static TestUpstream openai;
    static TestUpstream anthropic;
    static ProxyHarness proxy;
    static Path dir;
    static Path db;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("client-api-log");
        db = dir.resolve("requests.db");
        openai = TestUpstream.start();
        openai.setDefault(
                r -> r.bodyUtf8().contains("\"stream\":true") ? Reply.sse(CHAT_STREAM) : Reply.json(200, CHAT));
        anthropic = TestUpstream.start();
        anthropic.setDefault(r -> r.bodyUtf8().contains("\"stream\":true")
                ? Reply.sseRaw(List.of(ANTHROPIC_STREAM))
                : Reply.json(200, ANTHROPIC_MESSAGE));
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0, max_body_bytes: 4096}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  up: {type: openai, base_url: "%s", api_key: sk-provider-openai}
                  claude-up: {type: anthropic, base_url: "%s", api_key: sk-provider-anthropic}
                models:
                  gpt: {retries: {count: 0}, providers: {up: {model_id: gpt-up}}}
                  claude: {retries: {count: 0}, providers: {claude-up: {model_id: claude-up}}}
                request_log:
                  store: sqlite
                  sqlite: {path: "%s"}
                  flush_interval_ms: 20
                  spill_dir: "%s"
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        openai.baseUrl(),
                        anthropic.baseUrl(),
                        db,
                        dir.resolve("spill")));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        openai.close();
        anthropic.close();
    }

    private static HttpResponse<String> post(String path, String requestId, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url(path)))
                .header("Content-Type", "application/json")
                .header("x-request-id", requestId)
                .header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "beta-one")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return proxy.send(b.build());
    }

    /** The row of {@code requestId}, once written. */
    private static Map<String, Object> row(String requestId) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            List<Map<String, Object>> rows = awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 1);
            for (Map<String, Object> r : rows) {
                if (requestId.equals(text(r.get("request_id")))) {
                    return r;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no row for " + requestId + " in " + rows);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aChatStreamIsLoggedAsOpenAi() throws Exception {
        HttpResponse<String> r = post(
                "/v1/chat/completions",
                "log-chat",
                ProxyHarness.KEY,
                "{\"model\":\"gpt\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> row = row("log-chat");
        assertEquals("openai", text(row.get("client_api")));
        assertEquals(5, number(row.get("prompt_tokens")));
        assertEquals(2, number(row.get("completion_tokens")));
        assertEquals(7, number(row.get("total_tokens")));
        JsonNode body = json(row.get("response_body"));
        assertEquals("Hello", body.get("content").asText());
        assertEquals("stop", body.get("finish_reason").asText());
    }

    /** Passed through: the client's stream is the provider's, and the row is made from it. */
    @Test
    void aMessagesStreamIsLoggedAsAnthropic() throws Exception {
        HttpResponse<String> r = post(
                "/v1/messages",
                "log-messages-stream",
                ProxyHarness.KEY,
                "{\"model\":\"claude\",\"max_tokens\":64,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("event: message_stop"), r.body());
        Map<String, Object> row = row("log-messages-stream");
        assertEquals("anthropic", text(row.get("client_api")));
        assertEquals("/v1/messages", text(row.get("endpoint")));
        assertEquals("claude-up", text(row.get("provider")));
        assertEquals(128, number(row.get("prompt_tokens")), "input + cache writes + cache reads");
        assertEquals(15, number(row.get("completion_tokens")));
        assertEquals(143, number(row.get("total_tokens")));
        assertEquals(100, number(row.get("cached_tokens")));
        JsonNode body = json(row.get("response_body"));
        assertEquals("Bonjour, write to [REDACTED:email]", body.get("content").asText(), body.toString());
        assertEquals("tool_calls", body.get("finish_reason").asText(), "in OpenAI's words");
        assertEquals("toolu_1", body.at("/tool_calls/0/id").asText(), body.toString());
        assertEquals("lookup", body.at("/tool_calls/0/function/name").asText());
        assertEquals(
                "{\"q\":\"x\"}", body.at("/tool_calls/0/function/arguments").asText());
        assertEquals(15, body.at("/usage/output_tokens").asInt(), "Anthropic's own usage object");
        assertEquals(100, body.at("/usage/cache_read_input_tokens").asInt());
        JsonNode headers = json(row.get("request_headers"));
        assertEquals("2023-06-01", headers.get("anthropic-version").asText());
        assertEquals("beta-one", headers.get("anthropic-beta").asText());
    }

    @Test
    void aWholeMessagesAnswerIsLoggedAsAnthropic() throws Exception {
        HttpResponse<String> r = post(
                "/v1/messages",
                "log-messages-whole",
                ProxyHarness.KEY,
                "{\"model\":\"claude\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> row = row("log-messages-whole");
        assertEquals("anthropic", text(row.get("client_api")));
        assertEquals(40, number(row.get("prompt_tokens")));
        assertEquals(4, number(row.get("completion_tokens")));
        assertEquals(44, number(row.get("total_tokens")));
        assertEquals("msg_2", json(row.get("response_body")).get("id").asText(), "the answer as the client got it");
    }

    /** Served through chat: the provider streamed chat, the client got (and the log assembled) Responses events. */
    @Test
    void aResponsesStreamIsLoggedAsResponses() throws Exception {
        HttpResponse<String> r = post(
                "/v1/responses",
                "log-responses-stream",
                ProxyHarness.KEY,
                "{\"model\":\"gpt\",\"stream\":true,\"input\":\"hi\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("response.completed"), r.body());
        Map<String, Object> row = row("log-responses-stream");
        assertEquals("responses", text(row.get("client_api")));
        assertEquals("/v1/responses", text(row.get("endpoint")));
        assertEquals(5, number(row.get("prompt_tokens")));
        assertEquals(2, number(row.get("completion_tokens")));
        assertEquals(7, number(row.get("total_tokens")));
        JsonNode body = json(row.get("response_body"));
        assertEquals("Hello", body.get("content").asText(), body.toString());
        assertEquals("stop", body.get("finish_reason").asText());
        assertEquals(7, body.at("/usage/total_tokens").asInt(), "the Responses usage object");
        assertEquals(2, body.at("/usage/output_tokens").asInt());
    }

    /** Served through chat: the provider streamed chat, the client got (and the log assembled) Anthropic events. */
    @Test
    void aMessagesStreamThroughChatIsLoggedAsAnthropic() throws Exception {
        HttpResponse<String> r = post(
                "/v1/messages",
                "log-messages-via-chat",
                ProxyHarness.KEY,
                "{\"model\":\"gpt\",\"max_tokens\":64,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("event: message_stop"), r.body());
        Map<String, Object> row = row("log-messages-via-chat");
        assertEquals("anthropic", text(row.get("client_api")));
        assertEquals("up", text(row.get("provider")));
        assertEquals(5, number(row.get("prompt_tokens")));
        assertEquals(2, number(row.get("completion_tokens")));
        assertEquals(7, number(row.get("total_tokens")));
        JsonNode body = json(row.get("response_body"));
        assertEquals("Hello", body.get("content").asText(), body.toString());
        assertEquals("stop", body.get("finish_reason").asText());
    }

    @Test
    void aWholeResponsesAnswerIsLoggedAsResponses() throws Exception {
        HttpResponse<String> r =
                post("/v1/responses", "log-responses-whole", ProxyHarness.KEY, "{\"model\":\"gpt\",\"input\":\"hi\"}");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> row = row("log-responses-whole");
        assertEquals("responses", text(row.get("client_api")));
        assertEquals(11, number(row.get("prompt_tokens")));
        assertEquals(3, number(row.get("completion_tokens")));
        assertEquals(14, number(row.get("total_tokens")));
        JsonNode body = json(row.get("response_body"));
        assertEquals("response", body.get("object").asText(), "the answer as the client got it: " + body);
        assertEquals(14, body.at("/usage/total_tokens").asInt());
    }

    /**
     * A native Responses provider ({@code responses: native}): its events are relayed as they are, and the
     * log assembles them, function call included.
     */
    @Test
    void aNativeResponsesStreamIsLoggedAsResponses() throws Exception {
        Path nativeDb = dir.resolve("native.db");
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness nativeProxy = ProxyHarness.startYaml(
                        """
                        server: {host: 127.0.0.1, port: 0}
                        auth: {api_keys: ["%s"]}
                        providers:
                          up: {type: openai, base_url: "%s", api_key: sk-provider-openai, responses: native}
                        models:
                          gpt: {retries: {count: 0}, providers: {up: {model_id: gpt-up}}}
                        request_log:
                          store: sqlite
                          sqlite: {path: "%s"}
                          flush_interval_ms: 20
                          spill_dir: "%s"
                        """.formatted(ProxyHarness.KEY, upstream.baseUrl(), nativeDb, dir.resolve("spill-native")))) {
            upstream.setDefault(req -> Reply.sseRaw(List.of(RESPONSES_STREAM)));
            HttpResponse<String> r = nativeProxy.send(HttpRequest.newBuilder(
                            URI.create(nativeProxy.url("/v1/responses")))
                    .header("Authorization", "Bearer " + ProxyHarness.KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt\",\"stream\":true,\"input\":\"hi\"}"))
                    .build());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(upstream.takeRequest(java.time.Duration.ofSeconds(5))
                    .bodyUtf8()
                    .contains("\"input\""));
            Map<String, Object> row = awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + nativeDb), 1)
                    .get(0);
            assertEquals("responses", text(row.get("client_api")));
            assertEquals(36, number(row.get("prompt_tokens")));
            assertEquals(20, number(row.get("completion_tokens")));
            assertEquals(56, number(row.get("total_tokens")));
            assertEquals(8, number(row.get("cached_tokens")));
            JsonNode body = json(row.get("response_body"));
            assertEquals("Checking.", body.get("content").asText(), body.toString());
            assertEquals("tool_calls", body.get("finish_reason").asText());
            assertEquals("call_A", body.at("/tool_calls/0/id").asText());
            assertEquals("get_weather", body.at("/tool_calls/0/function/name").asText());
            assertEquals(
                    "{\"city\":\"Paris\"}",
                    body.at("/tool_calls/0/function/arguments").asText());
        }
    }

    /** Refused before any provider: still the client's API, from the path. */
    @Test
    void refusalsOnMessagesAreLoggedAsAnthropic() throws Exception {
        HttpResponse<String> denied = post(
                "/v1/messages",
                "log-messages-401",
                "sk-not-a-key-0001",
                "{\"model\":\"claude\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(401, denied.statusCode());
        assertEquals(
                "authentication_error", json(denied.body()).at("/error/type").asText(), "Anthropic's shape");
        HttpResponse<String> tooBig = post(
                "/v1/messages",
                "log-messages-413",
                ProxyHarness.KEY,
                "{\"model\":\"claude\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + "x".repeat(5000) + "\"}]}");
        assertEquals(413, tooBig.statusCode());

        Map<String, Object> row = row("log-messages-401");
        assertEquals("anthropic", text(row.get("client_api")));
        assertEquals(401, number(row.get("status_code")));
        assertTrue(text(row.get("error")).contains("x-api-key"), text(row.get("error")));
        assertNull(row.get("api_key_hash"), "an unknown key is not logged");
        Map<String, Object> big = row("log-messages-413");
        assertEquals("anthropic", text(big.get("client_api")), "refused before it was an exchange");
        assertEquals(413, number(big.get("status_code")));
    }

    /** A provider's Anthropic-shaped error is named by its type in the row's error. */
    @Test
    void aProvidersAnthropicErrorIsNamedInTheRow() throws Exception {
        anthropic.enqueue(Reply.json(
                400,
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: too big\"},"
                        + "\"request_id\":\"req_up_1\"}"));
        HttpResponse<String> r = post(
                "/v1/messages",
                "log-messages-400",
                ProxyHarness.KEY,
                "{\"model\":\"claude\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, r.statusCode(), r.body());
        Map<String, Object> row = row("log-messages-400");
        assertEquals("anthropic", text(row.get("client_api")));
        assertEquals("invalid_request_error: max_tokens: too big", text(row.get("error")));
    }

    @Test
    void theAdminLogFiltersByClientApi() throws Exception {
        post(
                "/v1/messages",
                "log-filter-anthropic",
                "sk-not-a-key-0002",
                "{\"model\":\"claude\",\"max_tokens\":8,\"messages\":[]}");
        post("/v1/chat/completions", "log-filter-openai", "sk-not-a-key-0003", "{\"model\":\"gpt\",\"messages\":[]}");
        row("log-filter-anthropic");
        row("log-filter-openai");

        List<String> apis = new ArrayList<>();
        for (String api : List.of("anthropic", "openai")) {
            HttpResponse<String> page = proxy.adminGet("/admin/logs?client_api=" + api + "&limit=1000");
            assertEquals(200, page.statusCode(), page.body());
            JsonNode rows = json(page.body()).get("data");
            assertFalse(rows.isEmpty(), page.body());
            for (JsonNode row : rows) {
                assertEquals(api, row.get("client_api").asText(), row.toString());
                apis.add(row.get("request_id").asText());
            }
        }
        assertTrue(apis.contains("log-filter-anthropic") && apis.contains("log-filter-openai"), apis.toString());
        HttpResponse<String> bad = proxy.adminGet("/admin/logs?client_api=gemini");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("client_api"), bad.body());
    }
}
