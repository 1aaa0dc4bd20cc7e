package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/messages} over raw HTTP, where bytes can be compared: to an Anthropic provider the body goes
 * up byte for byte except {@code model}, and the answer and the stream come back byte for byte; the
 * client's {@code anthropic-version} and {@code anthropic-beta} go up; {@code x-api-key} is the client's
 * key here (and never reaches the provider); the gateway's own errors are in Anthropic's shape; and
 * {@code count_tokens} is passed through to Anthropic or estimated for other providers.
 */
class MessagesPassThroughIT {
    static TestUpstream anthropic;
    static TestUpstream openai;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        anthropic = TestUpstream.start();
        anthropic.setDefault(StrictAnthropicApi::answer);
        openai = TestUpstream.start();
        openai.setDefault(new StrictOpenAiChatApi(false)::answer);
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  claude: {type: anthropic, base_url: "http://127.0.0.1:%d", api_key: "%s"}
                  gpt: {type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: "%s"}
                models:
                  sonnet:
                    retries: {count: 0}
                    providers:
                      claude: {model_id: claude-sonnet-4-5}
                  overloaded:
                    retries: {count: 0}
                    providers:
                      claude: {model_id: overloaded}
                  gpt-4o:
                    providers:
                      gpt: {model_id: gpt-4o-2024-08-06}
                """.formatted(
                ProxyHarness.KEY, anthropic.port(), StrictAnthropicApi.KEY, openai.port(), StrictOpenAiChatApi.KEY));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        anthropic.close();
        openai.close();
    }

    @BeforeEach
    void forget() {
        while (anthropic.takeRequest(Duration.ZERO) != null || openai.takeRequest(Duration.ZERO) != null) {
            // each test looks at its own requests
        }
    }

    private static HttpRequest.Builder messages(String path, String body) {
        return HttpRequest.newBuilder(URI.create(proxy.url(path)))
                .header("x-api-key", ProxyHarness.KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** Odd spacing, key order and escapes: a re-serialised body would not match. */
    private static final String BODY_TAIL = " , \"max_tokens\" :2048,\"system\":\"Be\\u0020brief.\",   "
            + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
            + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi \\ud83d\\ude00\","
            + "\"cache_control\":{\"type\":\"ephemeral\"}}]}]}";

    @Test
    void bodyGoesUpByteForByteExceptTheModelAndTheAnswerComesBackAsItIs() throws Exception {
        HttpResponse<String> r = proxy.send(
                messages("/v1/messages", "{\"model\": \"sonnet\"" + BODY_TAIL).build());
        assertEquals(200, r.statusCode(), r.body());
        RecordedRequest up = anthropic.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1/messages", up.uri());
        assertEquals("{\"model\": \"claude-sonnet-4-5\"" + BODY_TAIL, up.bodyUtf8());
        assertEquals(StrictAnthropicApi.KEY, up.header("x-api-key"), "the provider's key, not the client's");
        assertEquals("2023-06-01", up.header("anthropic-version"));
        assertNull(up.header("authorization"));
        assertEquals(
                "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Hello there\"}],\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":2,"
                        + "\"cache_read_input_tokens\":5,\"output_tokens\":4}}",
                r.body());
        assertEquals(
                "49",
                r.headers().firstValue("anthropic-ratelimit-requests-remaining").orElse(null));
        assertEquals("req_ant_1", r.headers().firstValue("request-id").orElse(null));
        assertEquals("claude", r.headers().firstValue("x-proxy-provider").orElse(null));
    }

    @Test
    void streamComesBackByteForByte() throws Exception {
        // Split mid-event and mid-UTF-8 sequence, with a ping and CRLF framing: the relay must not care.
        List<String> chunks = List.of(
                "event: message_start\r\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_9\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
                        + "\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\r\n\r\nevent: content_block_st",
                "art\r\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\r\n\r\n"
                        + "event: ping\r\ndata: {\"type\":\"ping\"}\r\n\r\n",
                "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":\"Hé",
                "llo\"}}\r\n\r\nevent: content_block_stop\r\ndata: {\"type\":\"content_block_stop\",\"index\":0}\r\n\r\n",
                "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\r\n\r\n"
                        + "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n");
        anthropic.enqueue(Reply.sseRaw(chunks));
        HttpResponse<String> r = proxy.send(messages(
                        "/v1/messages",
                        "{\"model\":\"sonnet\",\"stream\":true,\"max_tokens\":5,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .build());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(String.join("", chunks), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        String up = anthropic.takeRequest(Duration.ofSeconds(5)).bodyUtf8();
        assertEquals(
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"max_tokens\":5,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                up,
                "no stream_options: Anthropic rejects it");
    }

    @Test
    void anthropicBetaValuesAreForwardedAndAnUnknownOneIsTheProvidersToRefuse() throws Exception {
        String body = "{\"model\":\"sonnet\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        HttpResponse<String> ok = proxy.send(messages("/v1/messages", body)
                .header("anthropic-beta", "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14")
                .header("anthropic-beta", "files-api-2025-04-14")
                .build());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(
                "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14,files-api-2025-04-14",
                String.join(
                        ",",
                        anthropic.takeRequest(Duration.ofSeconds(5)).headers().getAll("anthropic-beta")));

        HttpResponse<String> refused = proxy.send(messages("/v1/messages", body)
                .header("anthropic-beta", "no-such-beta-2099-01-01")
                .build());
        assertEquals(400, refused.statusCode());
        JsonNode e = ErrorShape.json(refused.body());
        assertEquals("error", e.get("type").asText());
        assertEquals("invalid_request_error", e.get("error").get("type").asText());
        assertTrue(e.get("error").get("message").asText().contains("no-such-beta-2099-01-01"), refused.body());
    }

    @Test
    void providerErrorsComeBackInAnthropicShape() throws Exception {
        HttpResponse<String> r = proxy.send(messages(
                        "/v1/messages",
                        "{\"model\":\"overloaded\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .build());
        assertTrue(r.statusCode() == 529 || r.statusCode() == 503, r.statusCode() + " " + r.body());
        JsonNode e = ErrorShape.json(r.body());
        assertEquals("error", e.get("type").asText());
        assertEquals("overloaded_error", e.get("error").get("type").asText());
    }

    @Test
    void xApiKeyOrBearerAuthenticatesAndRefusalsAreAnthropicShaped() throws Exception {
        String body = "{\"model\":\"sonnet\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        HttpResponse<String> bearer = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/messages")))
                .header("authorization", "Bearer " + ProxyHarness.KEY)
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertEquals(200, bearer.statusCode(), bearer.body());

        HttpResponse<String> wrong = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/messages")))
                .header("x-api-key", "sk-wrong-key")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertEquals(401, wrong.statusCode());
        JsonNode e = ErrorShape.json(wrong.body());
        assertEquals("error", e.get("type").asText());
        assertEquals("authentication_error", e.get("error").get("type").asText());
        assertFalse(wrong.body().contains("sk-wrong-key"), "the key is never echoed");

        HttpResponse<String> onChat = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("x-api-key", ProxyHarness.KEY)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build());
        assertEquals(401, onChat.statusCode(), "x-api-key is Anthropic's header: only on /v1/messages");
        ErrorShape.assertError(onChat.body(), "invalid_request_error", "invalid_api_key", null);

        HttpResponse<String> unknown = proxy.send(messages(
                        "/v1/messages",
                        "{\"model\":\"nope\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .build());
        assertEquals(404, unknown.statusCode());
        JsonNode nf = ErrorShape.json(unknown.body());
        assertEquals("not_found_error", nf.get("error").get("type").asText());
    }

    @Test
    void countTokensIsPassedToAnthropicAndEstimatedElsewhere() throws Exception {
        String tail = ",\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}";
        HttpResponse<String> counted = proxy.send(messages("/v1/messages/count_tokens", "{\"model\":\"sonnet\"" + tail)
                .header("anthropic-beta", "token-efficient-tools-2025-02-19")
                .build());
        assertEquals(200, counted.statusCode(), counted.body());
        assertEquals("{\"input_tokens\":" + StrictAnthropicApi.COUNTED_TOKENS + "}", counted.body());
        RecordedRequest up = anthropic.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1/messages/count_tokens", up.uri());
        assertEquals("{\"model\":\"claude-sonnet-4-5\"" + tail, up.bodyUtf8());
        assertEquals("token-efficient-tools-2025-02-19", up.header("anthropic-beta"));

        int before = openai.requestCount();
        HttpResponse<String> estimated =
                proxy.send(messages("/v1/messages/count_tokens", "{\"model\":\"gpt-4o\"" + tail)
                        .build());
        assertEquals(200, estimated.statusCode(), estimated.body());
        // "Be brief." (9) + "Hello, world" (12) = 21 bytes -> 6 tokens
        assertEquals("{\"input_tokens\":6}", estimated.body());
        assertEquals(before, openai.requestCount(), "no provider call for an estimate");
    }

    @Test
    void aStreamCutByEitherProviderEndsWithAnErrorEvent() throws Exception {
        String body = "{\"model\":\"%s\",\"stream\":true,\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        String start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_c\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,"
                + "\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n";
        anthropic.enqueue(Reply.sseRaw(List.of(start)));
        HttpResponse<String> passed =
                proxy.send(messages("/v1/messages", body.formatted("sonnet")).build());
        assertEquals(200, passed.statusCode());
        assertTrue(passed.body().startsWith(start), passed.body());
        assertTrue(
                passed.body()
                        .endsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                                + "\"message\":\"The upstream stream ended before the response was complete.\"},"
                                + "\"request_id\":null}\n\n"),
                passed.body());

        openai.enqueue(
                Reply.sseRaw(
                        List.of(
                                "data: {\"id\":\"chatcmpl-c\",\"model\":\"gpt-4o\",\"choices\":"
                                        + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n")));
        HttpResponse<String> translated =
                proxy.send(messages("/v1/messages", body.formatted("gpt-4o")).build());
        assertEquals(200, translated.statusCode());
        assertTrue(translated.body().startsWith("event: message_start\n"), translated.body());
        assertTrue(translated.body().contains("\"text_delta\",\"text\":\"Hel\""), translated.body());
        assertTrue(translated.body().endsWith("\"request_id\":null}\n\n"), translated.body());
        assertTrue(translated.body().contains("event: error\n"), translated.body());
        assertFalse(translated.body().contains("message_stop"), translated.body());
    }
}
