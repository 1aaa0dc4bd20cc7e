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
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
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
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.aigw.core.exchange.Usage;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.http.Exchange;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK against the proxy routing to a Gemini-type provider, served by a mock that
 * rejects what the real Gemini API rejects ({@link StrictGeminiApi}): text, streams (CRLF-framed
 * SSE), tool calls (plain and streamed, assembled by the SDK), a multi-turn tool round trip that
 * must carry the thought signature back, finish reasons, usage, embeddings and errors.
 */
class GeminiSdkIT {
    static TestUpstream upstream;
    static ProxyHarness proxy;
    static OpenAIClient client;
    /** Exchanges as the request log and spend listeners see them, in completion order. */
    static final BlockingQueue<Exchange> completed = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(StrictGeminiApi::answer);
        String base = "http://127.0.0.1:" + upstream.port();
        proxy = ProxyHarness.startYaml(
                """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  google: {type: gemini, base_url: "%s", api_key: "%s"}
                models:
                  gemini-flash:
                    providers:
                      google: {model_id: models/gemini-2.5-flash}
                  gemini-overloaded:
                    retries: {count: 0}
                    providers:
                      google: {model_id: overloaded}
                  gemini-exhausted:
                    retries: {count: 0}
                    providers:
                      google: {model_id: exhausted}
                  gemini-broken:
                    retries: {count: 0}
                    providers:
                      google: {model_id: broken}
                  embedder:
                    providers:
                      google: {model_id: text-embedding-004}
                """.formatted(ProxyHarness.KEY, base, StrictGeminiApi.KEY), List.of(new ExchangeListener() {
                    @Override
                    public void completed(Exchange e) {
                        completed.add(e);
                    }
                }));
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
        completed.clear();
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder()
                .model("gemini-flash")
                .addSystemMessage("Be brief.")
                .addUserMessage("Say hello");
    }

    private static ChatCompletionFunctionTool tool(String name) {
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name(name)
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
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
        assertEquals("gemini-2.5-flash", c.model());
        var usage = c.usage().orElseThrow();
        assertEquals(10, usage.promptTokens());
        assertEquals(7, usage.completionTokens(), "candidates + thoughts");
        assertEquals(17, usage.totalTokens());
        assertEquals(5, usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
        assertEquals(
                3,
                usage.completionTokensDetails().orElseThrow().reasoningTokens().orElseThrow());

        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", up.uri());
        var body = ErrorShape.json(up.bodyUtf8());
        assertFalse(body.has("model"), "the model is in the path");
        assertEquals("Be brief.", body.at("/systemInstruction/parts/0/text").asText());
        assertEquals("Say hello", body.at("/contents/0/parts/0/text").asText());
    }

    @Test
    void maxTokensIsLength() throws Exception {
        ChatCompletion c =
                client.chat().completions().create(chat().maxCompletionTokens(1).build());
        assertEquals(
                ChatCompletion.Choice.FinishReason.LENGTH, c.choices().get(0).finishReason());
        assertEquals("Hel", c.choices().get(0).message().content().orElseThrow());
        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals(
                1,
                ErrorShape.json(up.bodyUtf8())
                        .at("/generationConfig/maxOutputTokens")
                        .asInt());
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
        assertEquals(
                "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                upstream.takeRequest(Duration.ofSeconds(5)).uri());

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
        assertEquals(17, last.usage().orElseThrow().totalTokens());
        assertEquals(7, last.usage().orElseThrow().completionTokens());
        assertEquals(
                ChatCompletionChunk.Choice.FinishReason.STOP,
                withUsage
                        .get(withUsage.size() - 2)
                        .choices()
                        .get(0)
                        .finishReason()
                        .orElseThrow());
    }

    /** The client did not ask for usage, but the log, the limits and the spend still get all of it. */
    @Test
    void aStreamWithoutIncludeUsageIsStillAccountedAndPriced() throws Exception {
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat().build())) {
            assertTrue(s.stream().allMatch(c -> c.usage().isEmpty()));
        }
        Exchange e = completed.poll(5, TimeUnit.SECONDS);
        assertEquals(new Usage(10, 7, 17, 5), e.usage());
        assertEquals("stop", e.finishReason());
        // gemini-2.5-flash (models/ prefix ignored): 0.30 in, 0.075 cached, 2.50 out per million
        assertEquals((5 * 0.30 + 5 * 0.075 + 7 * 2.50) / 1e6, e.costUsd(), 1e-12);
    }

    @Test
    void toolCallsPlain() throws Exception {
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
        assertEquals("call_0_c2lnLWEr_w", calls.get(0).id(), "the thought signature rides in the id");
        assertTrue(
                calls.get(1).id().matches("call_[A-Za-z0-9]{24}"), calls.get(1).id());
        assertEquals("get_weather", calls.get(0).function().name());
        assertEquals("{\"city\":\"Paris\"}", calls.get(0).function().arguments());
        assertEquals("{}", calls.get(1).function().arguments());

        var body = ErrorShape.json(upstream.takeRequest(Duration.ofSeconds(5)).bodyUtf8());
        assertEquals(
                "get_weather", body.at("/tools/0/functionDeclarations/0/name").asText());
        assertFalse(
                body.at("/tools/0/functionDeclarations/0/parameters").has("additionalProperties"),
                "a key Gemini's schema refuses is stripped");
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
        assertEquals("call_0_c2lnLWEr_w", calls.get(0).id());
        assertEquals(
                List.of("get_weather", "get_time"),
                calls.stream().map(t -> t.function().name()).toList());
        assertEquals("{\"city\":\"Paris\"}", calls.get(0).function().arguments());
        assertEquals("{}", calls.get(1).function().arguments());
    }

    /** The strict API refuses the second turn unless the signature, the names and the roles all came back right. */
    @Test
    void aMultiTurnToolRoundTripIsAcceptedByTheStrictApi() {
        for (boolean streamedFirst : new boolean[] {false, true}) {
            ChatCompletionCreateParams params = chat().addTool(tool("get_weather"))
                    .addTool(tool("get_time"))
                    .build();
            ChatCompletion first;
            if (streamedFirst) {
                ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
                try (StreamResponse<ChatCompletionChunk> s =
                        client.chat().completions().createStreaming(params)) {
                    s.stream().forEach(acc::accumulate);
                }
                first = acc.chatCompletion();
            } else {
                first = client.chat().completions().create(params);
            }
            var message = first.choices().get(0).message();
            var calls = message.toolCalls().orElseThrow();
            ChatCompletionCreateParams.Builder next = chat().addTool(tool("get_weather"))
                    .addTool(tool("get_time"))
                    .addMessage(message.toParam());
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
                    answer.choices().get(0).message().content().orElseThrow(),
                    "streamed first turn: " + streamedFirst);
        }
    }

    @Test
    void aLostSignatureIsRefusedByTheStrictApi() throws Exception {
        HttpResponse<String> r = proxy.post("/v1/chat/completions", """
                {"model":"gemini-flash","messages":[
                 {"role":"user","content":"Weather?"},
                 {"role":"assistant","tool_calls":[{"id":"call_x","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_x","content":"sunny"}]}""");
        assertEquals(400, r.statusCode(), r.body());
        var error = ErrorShape.json(r.body()).get("error");
        assertEquals("invalid_argument", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("thought_signature"), r.body());
    }

    @Test
    void embeddingsAsFloatsAndAsBase64ThroughBatchEmbedContents() throws Exception {
        for (EmbeddingCreateParams.EncodingFormat format : new EmbeddingCreateParams.EncodingFormat[] {
            EmbeddingCreateParams.EncodingFormat.FLOAT, EmbeddingCreateParams.EncodingFormat.BASE64
        }) {
            CreateEmbeddingResponse r = client.embeddings()
                    .create(EmbeddingCreateParams.builder()
                            .model("embedder")
                            .inputOfArrayOfStrings(List.of("hi", "there"))
                            .encodingFormat(format)
                            .build());
            assertEquals(2, r.data().size());
            assertEquals(StrictGeminiApi.VECTOR, r.data().get(1).embedding(), format.toString());
            RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
            assertEquals("/v1beta/models/text-embedding-004:batchEmbedContents", up.uri());
            assertEquals(2, ErrorShape.json(up.bodyUtf8()).get("requests").size());
        }
    }

    @Test
    void legacyCompletionsAreAClear400() {
        int before = upstream.requestCount();
        BadRequestException e = assertThrows(
                BadRequestException.class,
                () -> client.completions()
                        .create(CompletionCreateParams.builder()
                                .model("gemini-flash")
                                .prompt("hi")
                                .build()));
        assertTrue(e.getMessage().contains("does not serve legacy completions"), e.getMessage());
        assertEquals(before, upstream.requestCount(), "nothing was sent upstream");
    }

    @Test
    void overloadedIs503AndExhaustedIs429InOpenAiShape() throws Exception {
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions",
                "{\"model\":\"gemini-overloaded\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(503, r.statusCode());
        var error = ErrorShape.json(r.body()).get("error");
        assertEquals(
                "The model is overloaded. Please try again later.",
                error.get("message").asText());
        assertEquals("unavailable", error.get("code").asText());
        OpenAIServiceException e = assertThrows(
                OpenAIServiceException.class,
                () -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("gemini-overloaded")
                                .addUserMessage("x")
                                .build()));
        assertEquals(503, e.statusCode());

        RateLimitException limited = assertThrows(
                RateLimitException.class,
                () -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("gemini-exhausted")
                                .addUserMessage("x")
                                .build()));
        assertEquals(429, limited.statusCode());
        assertTrue(limited.getMessage().contains("Resource has been exhausted"), limited.getMessage());
    }

    @Test
    void anErrorEventMidStreamRaisesInTheSdk() {
        StringBuilder text = new StringBuilder();
        SseException e = assertThrows(SseException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat()
                    .completions()
                    .createStreaming(ChatCompletionCreateParams.builder()
                            .model("gemini-broken")
                            .addUserMessage("x")
                            .build())) {
                s.stream()
                        .forEach(c -> c.choices()
                                .forEach(ch -> text.append(ch.delta().content().orElse(""))));
            }
        });
        assertEquals("Hel", text.toString(), "what came before the error was relayed");
        assertTrue(e.getMessage().contains("The model is overloaded"), e.getMessage());
    }

    @Test
    void theClientKeyNeverReachesGemini() {
        client.chat().completions().create(chat().build());
        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals(StrictGeminiApi.KEY, up.header("x-goog-api-key"));
        assertEquals(null, up.header("authorization"));
        assertFalse(up.headers().toString().contains(ProxyHarness.KEY));
    }
}
