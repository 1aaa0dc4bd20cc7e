package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
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
 * The official OpenAI SDK against the proxy routing to an {@code ollama}-type provider (native
 * /api/chat and /api/embed, NDJSON streams), served by {@link StrictOllamaApi}: text and tool calls,
 * plain and streamed (assembled by the SDK), usage, embeddings as floats and base64, errors.
 */
class OllamaSdkIT {
    static TestUpstream upstream;
    static ProxyHarness proxy;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(StrictOllamaApi::answer);
        String base = "http://127.0.0.1:" + upstream.port();
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  local: {type: ollama, base_url: "%s"}
                  cloud: {type: ollama, base_url: "%s", api_key: "%s"}
                models:
                  llama: {providers: {local: {model_id: "llama3.2:3b"}}}
                  llama-cloud: {providers: {cloud: {model_id: "gpt-oss:120b"}}}
                  embedder: {providers: {local: {model_id: all-minilm}}}
                  gone: {providers: {local: {model_id: missing}}}
                """.formatted(ProxyHarness.KEY, base, base, StrictOllamaApi.CLOUD_KEY));
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
                .model("llama")
                .addDeveloperMessage("Be brief.")
                .addUserMessage("Say hello")
                .temperature(0.2)
                .maxCompletionTokens(64);
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

    private static JsonNode upstreamBody() throws Exception {
        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        return ErrorShape.json(up.bodyUtf8());
    }

    @Test
    void textWithFinishReasonAndUsage() throws Exception {
        ChatCompletion c = client.chat().completions().create(chat().build());
        assertEquals("Hello there", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        var usage = c.usage().orElseThrow();
        assertEquals(11, usage.promptTokens());
        assertEquals(7, usage.completionTokens());
        assertEquals(18, usage.totalTokens());

        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("/api/chat", up.uri());
        assertNull(up.header("authorization"), "a local Ollama gets no credentials");
        assertFalse(up.headers().toString().contains(ProxyHarness.KEY));
        JsonNode body = ErrorShape.json(up.bodyUtf8());
        assertEquals("llama3.2:3b", body.get("model").asText());
        assertFalse(body.get("stream").asBoolean(), "stream:false is sent, not left to Ollama's default");
        assertEquals("system", body.get("messages").get(0).get("role").asText());
        assertEquals(64, body.get("options").get("num_predict").asInt());
        assertEquals(0.2, body.get("options").get("temperature").asDouble());
    }

    @Test
    void streamedTextIsAssembled() throws Exception {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat().build())) {
            s.stream().forEach(chunks::add);
        }
        StringBuilder text = new StringBuilder();
        chunks.forEach(
                c -> c.choices().forEach(ch -> text.append(ch.delta().content().orElse(""))));
        assertEquals("Hello there", text.toString());
        assertTrue(chunks.stream().allMatch(c -> c.usage().isEmpty()), "no usage without include_usage");
        assertEquals(1, chunks.stream().map(ChatCompletionChunk::id).distinct().count(), "one id for the stream");
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertEquals(
                ChatCompletionChunk.Choice.FinishReason.STOP,
                last.choices().get(0).finishReason().orElseThrow());
        assertTrue(upstreamBody().get("stream").asBoolean());
    }

    @Test
    void streamedWithIncludeUsage() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(chat().streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            s.stream().forEach(chunks::add);
        }
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        var usage = last.usage().orElseThrow();
        assertEquals(11, usage.promptTokens());
        assertEquals(18, usage.totalTokens());
    }

    @Test
    void theClientGetsServerSentEventsNotNdjson() throws Exception {
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions",
                "{\"model\":\"llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode());
        assertTrue(
                r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
                r.headers().toString());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
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
        assertTrue(calls.get(0).id().startsWith("call_"), calls.get(0).id());
        assertFalse(calls.get(0).id().equals(calls.get(1).id()));
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
        var choice = acc.chatCompletion().choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        assertEquals("Checking.", choice.message().content().orElse(""));
        List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
                .map(tc -> tc.asFunction())
                .toList();
        assertEquals(
                List.of("get_weather", "get_time"),
                calls.stream().map(t -> t.function().name()).toList());
        assertEquals("{\"city\":\"Paris\"}", calls.get(0).function().arguments());
        assertTrue(calls.get(1).id().startsWith("call_"));
    }

    @Test
    void aToolRoundTripIsAcceptedByTheStrictApi() throws Exception {
        ChatCompletion first = client.chat()
                .completions()
                .create(chat().addTool(tool("get_weather")).build());
        var message = first.choices().get(0).message();
        ChatCompletionCreateParams.Builder next =
                chat().addTool(tool("get_weather")).addMessage(message.toParam());
        for (var call : message.toolCalls().orElseThrow()) {
            next.addMessage(ChatCompletionToolMessageParam.builder()
                    .toolCallId(call.asFunction().id())
                    .content("{\"ok\":true}")
                    .build());
        }
        upstream.takeRequest(Duration.ofSeconds(5));
        ChatCompletion answer = client.chat().completions().create(next.build());
        assertEquals(
                "It is sunny in Paris.",
                answer.choices().get(0).message().content().orElseThrow());
        JsonNode sent = upstreamBody().get("messages");
        assertTrue(sent.get(2)
                .get("tool_calls")
                .get(0)
                .get("function")
                .get("arguments")
                .isObject());
        assertEquals("get_weather", sent.get(3).get("tool_name").asText());
    }

    @Test
    void embeddingsAsFloatsAndAsBase64() throws Exception {
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
            assertEquals(StrictOllamaApi.VECTOR, r.data().get(1).embedding(), format.toString());
            assertEquals(8, r.usage().promptTokens());
            RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
            assertEquals("/api/embed", up.uri());
            assertEquals("{\"model\":\"all-minilm\",\"input\":[\"hi\",\"there\"]}", up.bodyUtf8());
        }
        HttpResponse<String> raw = proxy.post(
                "/v1/embeddings", "{\"model\":\"embedder\",\"input\":\"hi\",\"encoding_format\":\"base64\"}");
        assertEquals(200, raw.statusCode(), raw.body());
        // 0.5, -0.25, 0.125, 3.0 as little-endian float32
        assertEquals(
                "AAAAPwAAgL4AAAA+AABAQA==",
                ErrorShape.json(raw.body()).get("data").get(0).get("embedding").asText());
    }

    @Test
    void aMissingOllamaModelIs404ModelNotFound() throws Exception {
        NotFoundException e = assertThrows(
                NotFoundException.class,
                () -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("gone")
                                .addUserMessage("x")
                                .build()));
        assertEquals(404, e.statusCode());
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions", "{\"model\":\"gone\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, r.statusCode());
        ErrorShape.assertError(r.body(), "invalid_request_error", "model_not_found", "model");
        assertTrue(r.body().contains("model 'missing' not found"), r.body());
    }

    @Test
    void legacyCompletionsAndNAboveOneAreClear400s() {
        int before = upstream.requestCount();
        BadRequestException e = assertThrows(
                BadRequestException.class,
                () -> client.completions()
                        .create(CompletionCreateParams.builder()
                                .model("llama")
                                .prompt("hi")
                                .build()));
        assertTrue(e.getMessage().contains("legacy completions"), e.getMessage());
        assertThrows(
                BadRequestException.class,
                () -> client.chat().completions().create(chat().n(2).build()));
        assertEquals(before, upstream.requestCount(), "nothing was sent upstream");
    }

    @Test
    void aConfiguredKeyGoesAsBearer() {
        client.chat().completions().create(chat().model("llama-cloud").build());
        RecordedRequest up = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("Bearer " + StrictOllamaApi.CLOUD_KEY, up.header("authorization"));
    }
}
