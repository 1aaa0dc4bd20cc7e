package io.aigw.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.it.ProxyHarness;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits for the Anthropic and Responses client APIs: a refusal in the client's own error shape;
 * token limits charged from the usage the Messages API reports (passed through from an {@code anthropic}
 * provider), and admitted against each API's own output cap ({@code max_tokens}, {@code
 * max_output_tokens}; none for {@code count_tokens}).
 */
class ClientApiLimitsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Uses 990 tokens (input 900 + cache reads 50 + output 40) of a 1,000 a minute budget. */
    static final String BIG_MESSAGE = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}],\"model\":\"claude-up\",\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":900,\"cache_creation_input_tokens\":0,"
            + "\"cache_read_input_tokens\":50,\"output_tokens\":40}}";
    /** The same usage, streamed: input figures in message_start, the output in message_delta. */
    static final String BIG_STREAM = String.join(
            "\n\n",
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-up\",\"stop_reason\":null,"
                    + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":900,\"cache_creation_input_tokens\":0,"
                    + "\"cache_read_input_tokens\":50,\"output_tokens\":1}}}",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":40}}",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}",
            "");

    static final String MESSAGES =
            "{\"model\":\"claude\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;

    private TestUpstream upstream;
    private ProxyHarness proxy;

    @BeforeEach
    void start() {
        upstream = TestUpstream.start();
        upstream.setDefault(r -> r.bodyUtf8().contains("\"stream\":true")
                ? Reply.sseRaw(List.of(BIG_STREAM))
                : Reply.json(200, BIG_MESSAGE));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    private void proxy(String limits) throws Exception {
        proxy = ProxyHarness.startYaml(
                """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                data_dir: "%s"
                keys: {store: off}
                request_log: {store: off}
                providers:
                  claude-up: {type: anthropic, base_url: "%s", api_key: sk-provider-secret}
                  up: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  claude: {retries: {count: 0}, providers: {claude-up: {model_id: claude-up}}}
                  gpt: {retries: {count: 0}, providers: {up: {model_id: gpt-up}}}
                limits: %s
                """.formatted(ProxyHarness.KEY, dir, upstream.baseUrl(), upstream.baseUrl(), limits));
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path)))
                .header("x-api-key", ProxyHarness.KEY)
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static void assertAnthropicRateLimit(HttpResponse<String> r) throws Exception {
        assertEquals(429, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("error", body.get("type").asText(), r.body());
        assertEquals("rate_limit_error", body.at("/error/type").asText(), r.body());
        assertTrue(body.at("/error/message").asText().length() > 0, r.body());
        assertTrue(
                r.headers().firstValue("retry-after").isPresent(),
                r.headers().map().toString());
    }

    @Test
    void aRefusalOnMessagesHasTheAnthropicShape() throws Exception {
        proxy("{key_defaults: {rpm: 1}}");
        HttpResponse<String> first = post("/v1/messages", MESSAGES);
        assertNotEquals(429, first.statusCode(), first.body());
        int reached = upstream.requestCount();
        assertAnthropicRateLimit(post("/v1/messages", MESSAGES));
        assertEquals(reached, upstream.requestCount(), "the refused request never reached the provider");
        HttpResponse<String> chat = post(
                "/v1/chat/completions", "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(429, chat.statusCode());
        assertTrue(
                JSON.readTree(chat.body()).has("error")
                        && !JSON.readTree(chat.body()).has("type"),
                chat.body());
    }

    /**
     * Admitted against its estimate (about 40 tokens), the first answer is charged its real usage (990,
     * prompt counted with its cache reads), so the second, which its estimate alone would let in, is
     * refused.
     */
    @Test
    void tokensAreChargedFromAWholeMessagesAnswer() throws Exception {
        proxy("{key_defaults: {tpm: 1000}}");
        HttpResponse<String> first = post("/v1/messages", MESSAGES);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(Long.parseLong(header(first, "x-ratelimit-remaining-tokens")) > 900, "admitted on the estimate");
        assertAnthropicRateLimit(post("/v1/messages", MESSAGES));
    }

    @Test
    void tokensAreChargedFromAMessagesStream() throws Exception {
        proxy("{key_defaults: {tpm: 1000}}");
        String stream = MESSAGES.replace("\"max_tokens\":16,", "\"max_tokens\":16,\"stream\":true,");
        HttpResponse<String> first = post("/v1/messages", stream);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.body().contains("message_stop"), first.body());
        assertAnthropicRateLimit(post("/v1/messages", stream));
    }

    /**
     * Each API's cap on the output is what the request is admitted against: {@code count_tokens} has no
     * output (not {@code default_max_tokens}), a Responses request its {@code max_output_tokens}. The
     * first charge of a fresh key leaves exactly the limit less the estimate.
     */
    @Test
    void theEstimateUsesEachApisOutputCap() throws Exception {
        proxy("{key_defaults: {tpm: 100000}, default_max_tokens: 4096}");
        String count = "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"how many tokens?\"}]}";
        HttpResponse<String> counted = post("/v1/messages/count_tokens", count);
        assertEquals(
                100000 - input(count),
                Long.parseLong(header(counted, "x-ratelimit-remaining-tokens")),
                counted.statusCode() + " " + counted.body());
        proxy.close();
        proxy = null;

        proxy("{key_defaults: {tpm: 100000}, default_max_tokens: 4096}");
        String responses = "{\"model\":\"gpt\",\"input\":\"hi\",\"max_output_tokens\":300}";
        HttpResponse<String> r = post("/v1/responses", responses);
        assertEquals(
                100000 - input(responses) - 300,
                Long.parseLong(header(r, "x-ratelimit-remaining-tokens")),
                r.statusCode() + " " + r.body());
    }

    /** The input estimate: a token per 4 bytes of body, rounded up. */
    private static long input(String body) {
        return (body.getBytes(StandardCharsets.UTF_8).length + 3) / 4;
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + ": " + r.headers()));
    }
}
