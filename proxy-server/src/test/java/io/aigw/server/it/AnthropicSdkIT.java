package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK against the proxy routing to an Anthropic-type provider, served by a mock
 * that rejects what the real Messages API rejects: text, tool calls (plain and streamed, assembled
 * by the SDK), a multi-turn tool round trip, finish reasons, usage, and errors.
 */
class AnthropicSdkIT {
    static TestUpstream upstream;
    static ProxyHarness proxy;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(StrictAnthropicApi::answer);
        String base = "http://127.0.0.1:" + upstream.port();
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  claude: {type: anthropic, base_url: "%s", api_key: "%s"}
                models:
                  claude-sonnet:
                    providers:
                      claude: {model_id: claude-sonnet-4-5, max_tokens: 1024}
                  claude-overloaded:
                    providers:
                      claude: {model_id: overloaded}
                """.formatted(ProxyHarness.KEY, base, StrictAnthropicApi.KEY));
        client = OpenAIOkHttpClient.builder()
                .apiKey(ProxyHarness.KEY)
                .baseUrl(proxy.url("/v1"))
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        proxy.close();
        upstream.close();
    }

    @BeforeEach
    void forget() {
        while (upstream.takeRequest(Duration.ZERO) != null) {
            // each test looks at its own requests
        }
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder()
                .model("claude-sonnet")
                .addSystemMessage("Be brief.")
                .addUserMessage("Say hello");
    }

    private static ChatCompletionFunctionTool tool(String name) {
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name(name)
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty(
                                        "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .build())
                        .build())
                .build();
    }

    @Test
    void textWithFinishReasonAndUsage() throws Exception {
        ChatCompletion c = client.chat().completions().create(chat().build());
        assertEquals("Hello there", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        var usage = c.usage().orElseThrow();
        assertEquals(17, usage.promptTokens(), "input + cache creation + cache read");
        assertEquals(4, usage.completionTokens());
        assertEquals(21, usage.totalTokens());
        assertEquals(5, usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());

        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        var body = ErrorShape.json(up.bodyUtf8());
        assertEquals("claude-sonnet-4-5", body.get("model").asText());
        assertEquals(1024, body.get("max_tokens").asInt(), "the deployment's max_tokens default");
        assertEquals("Be brief.", body.get("system").get(0).get("text").asText());
    }

    @Test
    void rateLimitHeadersAreRenamedForOpenAiClients() throws Exception {
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions",
                "{\"model\":\"claude-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(
                "49", r.headers().firstValue("x-ratelimit-remaining-requests").orElse(null));
        assertEquals(
                "req_ant_1", r.headers().firstValue("x-upstream-request-id").orElse(null));
        assertEquals("claude", r.headers().firstValue("x-proxy-provider").orElse(null));
    }

    @Test
    void streamedTextWithAndWithoutUsage() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat().build())) {
            s.stream().forEach(chunks::add);
        }
        StringBuilder text = new StringBuilder();
        chunks.forEach(
                c -> c.choices().forEach(ch -> text.append(ch.delta().content().orElse(""))));
        assertEquals("Hello there", text.toString());
        assertTrue(chunks.stream().allMatch(c -> c.usage().isEmpty()));
        assertEquals(1, chunks.stream().map(ChatCompletionChunk::id).distinct().count(), "one id for the stream");

        List<ChatCompletionChunk> withUsage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(chat().streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            s.stream().forEach(withUsage::add);
        }
        ChatCompletionChunk last = withUsage.get(withUsage.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertEquals(16, last.usage().orElseThrow().totalTokens());
    }

    @Test
    void toolCallsPlain() {
        ChatCompletion c = client.chat()
                .completions()
                .create(chat().addTool(tool("get_weather"))
                        .addTool(tool("get_time"))
                        .build());
        var choice = c.choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
                .map(tc -> tc.asFunction())
                .toList();
        assertEquals(2, calls.size());
        assertEquals("toolu_1", calls.get(0).id());
        assertEquals("get_weather", calls.get(0).function().name());
        assertEquals("{\"city\":\"Paris\"}", calls.get(0).function().arguments());
        assertEquals("{}", calls.get(1).function().arguments());
    }

    @Test
    void toolCallsStreamedAndAssembledByTheSdk() {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(chat().addTool(tool("get_weather"))
                        .addTool(tool("get_time"))
                        .build())) {
            s.stream().forEach(acc::accumulate);
        }
        ChatCompletion c = acc.chatCompletion();
        var choice = c.choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        assertEquals("Checking.", choice.message().content().orElse(""));
        List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
                .map(tc -> tc.asFunction())
                .toList();
        assertEquals(
                List.of("toolu_1", "toolu_2"),
                calls.stream().map(ChatCompletionMessageFunctionToolCall::id).toList());
        assertEquals("{\"city\": \"Paris\"}", calls.get(0).function().arguments());
        assertEquals("{}", calls.get(1).function().arguments());
    }

    @Test
    void aMultiTurnToolRoundTripIsAcceptedByTheStrictApi() {
        ChatCompletion first = client.chat()
                .completions()
                .create(chat().addTool(tool("get_weather"))
                        .addTool(tool("get_time"))
                        .build());
        var message = first.choices().get(0).message();
        var calls = message.toolCalls().orElseThrow();
        ChatCompletionCreateParams.Builder next =
                chat().addTool(tool("get_weather")).addTool(tool("get_time")).addMessage(message.toParam());
        for (var call : calls) {
            next.addMessage(ChatCompletionToolMessageParam.builder()
                    .toolCallId(call.asFunction().id())
                    .content("{\"ok\":true}")
                    .build());
        }
        next.addUserMessage("And so?");
        ChatCompletion answer = client.chat().completions().create(next.build());
        assertEquals(
                "It is sunny in Paris.",
                answer.choices().get(0).message().content().orElseThrow());
    }

    @Test
    void embeddingsToAnthropicAreAClear400() {
        int before = upstream.requestCount();
        BadRequestException e = assertThrows(
                BadRequestException.class,
                () -> client.embeddings()
                        .create(EmbeddingCreateParams.builder()
                                .model("claude-sonnet")
                                .input("hi")
                                .build()));
        assertTrue(e.getMessage().contains("does not serve embeddings"), e.getMessage());
        assertEquals(before, upstream.requestCount(), "nothing was sent upstream");
    }

    @Test
    void overloadedIs503InOpenAiShape() throws Exception {
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions",
                "{\"model\":\"claude-overloaded\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(503, r.statusCode());
        var error = ErrorShape.json(r.body()).get("error");
        assertEquals("Overloaded", error.get("message").asText());
        OpenAIServiceException e = assertThrows(
                OpenAIServiceException.class,
                () -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("claude-overloaded")
                                .addUserMessage("x")
                                .build()));
        assertEquals(503, e.statusCode());
    }

    @Test
    void theClientKeyNeverReachesAnthropic() {
        client.chat().completions().create(chat().build());
        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals(StrictAnthropicApi.KEY, up.header("x-api-key"));
        assertFalse(up.headers().toString().contains(ProxyHarness.KEY));
    }
}
