package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.aigw.server.testing.RecordedRequest;
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
 * The official OpenAI SDK against the proxy routing to Azure-type providers (deployments style with
 * an api key, v1 style, an Entra bearer token), served by a strict Azure mock whose streams carry
 * content-filter annotation chunks that must never reach the client.
 */
class AzureSdkIT {
    private static final String CHAT_PATH = "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21";

    static TestUpstream upstream;
    static ProxyHarness proxy;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(StrictAzureApi::answer);
        String base = "http://127.0.0.1:" + upstream.port();
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%1$s"]}
                providers:
                  az: {type: azure, base_url: "%2$s/", api_key: "%3$s"}
                  az-v1: {type: azure, base_url: "%2$s", api_key: "%3$s", api_style: v1}
                  az-entra: {type: azure, base_url: "%2$s", bearer_token: "%4$s"}
                models:
                  gpt-4o:
                    providers: {az: {model_id: gpt4o-prod}}
                  text-embedding-3-small:
                    providers: {az: {model_id: embed-prod}}
                  gpt-4o-filtered:
                    providers: {az: {model_id: filtered}}
                  gpt-4o-v1:
                    providers: {az-v1: {model_id: gpt4o-prod}}
                  gpt-4o-entra:
                    providers: {az-entra: {model_id: gpt4o-prod}}
                """.formatted(ProxyHarness.KEY, base, StrictAzureApi.KEY, StrictAzureApi.TOKEN));
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

    private static ChatCompletionCreateParams.Builder chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello");
    }

    private static List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunks::add);
        }
        return chunks;
    }

    private static String text(List<ChatCompletionChunk> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(
                c -> c.choices().forEach(ch -> text.append(ch.delta().content().orElse(""))));
        return text.toString();
    }

    private static RecordedRequest upstreamRequest() {
        return upstream.takeRequest(Duration.ofSeconds(5));
    }

    @Test
    void chatGoesToTheDeploymentWithApiKeyAndVersion() throws Exception {
        ChatCompletion c = client.chat().completions().create(chat("gpt-4o").build());
        assertEquals("Hello from Azure", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        assertEquals(15, c.usage().orElseThrow().totalTokens());

        RecordedRequest up = upstreamRequest();
        assertEquals(CHAT_PATH, up.uri());
        assertEquals(StrictAzureApi.KEY, up.header("api-key"));
        assertNull(up.header("authorization"), "the client's key stays behind");
        assertFalse(up.headers().toString().contains(ProxyHarness.KEY));
        assertEquals("gpt4o-prod", ErrorShape.json(up.bodyUtf8()).get("model").asText());
    }

    @Test
    void contentFilterAnnotationsInAWholeAnswerPassThrough() throws Exception {
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        var body = ErrorShape.json(r.body());
        assertTrue(body.has("prompt_filter_results"));
        assertTrue(body.get("choices").get(0).has("content_filter_results"));
        assertEquals("az", r.headers().firstValue("x-proxy-provider").orElse(null));
    }

    @Test
    void streamedChatLosesTheAnnotationChunks() throws Exception {
        List<ChatCompletionChunk> chunks = stream(chat("gpt-4o").build());
        assertEquals("Hello from Azure", text(chunks));
        assertTrue(chunks.stream().allMatch(c -> c.id().equals("chatcmpl-az2")), "no annotation chunk without id");
        assertTrue(chunks.stream().allMatch(c -> c.usage().isEmpty()), "the forced usage chunk is hidden");
        var up = ErrorShape.json(upstreamRequest().bodyUtf8());
        assertTrue(up.get("stream_options").get("include_usage").asBoolean(), "usage forced for the log");
    }

    @Test
    void rawStreamHasNoAnnotationChunk() throws Exception {
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions",
                "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("Hello"), r.body());
        assertFalse(r.body().contains("prompt_filter_results"), r.body());
        assertFalse(r.body().contains("content_filter_offsets"), r.body());
        assertFalse(r.body().contains("\"id\":\"\""), r.body());
        assertFalse(r.body().contains("\"usage\":{"), r.body());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        assertEquals(5, r.body().split("\n\n").length, "4 chunks and [DONE]: " + r.body());
    }

    @Test
    void streamedWithIncludeUsage() {
        List<ChatCompletionChunk> chunks = stream(chat("gpt-4o")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build());
        assertEquals("Hello from Azure", text(chunks));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertEquals(15, last.usage().orElseThrow().totalTokens());
        assertEquals(
                1, chunks.stream().filter(c -> c.choices().isEmpty()).count(), "only the usage chunk has no choices");
    }

    @Test
    void embeddings() {
        for (EmbeddingCreateParams.EncodingFormat format :
                List.of(EmbeddingCreateParams.EncodingFormat.FLOAT, EmbeddingCreateParams.EncodingFormat.BASE64)) {
            CreateEmbeddingResponse r = client.embeddings()
                    .create(EmbeddingCreateParams.builder()
                            .model("text-embedding-3-small")
                            .input("hi")
                            .encodingFormat(format)
                            .build());
            assertEquals(List.of(0.25f, -0.5f), r.data().get(0).embedding(), format.toString());
            assertEquals(
                    "/openai/deployments/embed-prod/embeddings?api-version=2024-10-21",
                    upstreamRequest().uri());
        }
    }

    @Test
    void contentFilterFinishReasonPassesThrough() {
        ChatCompletion c =
                client.chat().completions().create(chat("gpt-4o-filtered").build());
        assertEquals(
                ChatCompletion.Choice.FinishReason.CONTENT_FILTER,
                c.choices().get(0).finishReason());
        assertEquals("Here is", c.choices().get(0).message().content().orElseThrow());

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(chat("gpt-4o-filtered").build())) {
            s.stream().forEach(acc::accumulate);
        }
        var choice = acc.chatCompletion().choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.CONTENT_FILTER, choice.finishReason());
        assertEquals("Here is", choice.message().content().orElseThrow());
    }

    @Test
    void v1StyleNamesTheDeploymentInTheBody() throws Exception {
        ChatCompletion c = client.chat().completions().create(chat("gpt-4o-v1").build());
        assertEquals("Hello from Azure", c.choices().get(0).message().content().orElseThrow());
        RecordedRequest up = upstreamRequest();
        assertEquals("/openai/v1/chat/completions", up.uri());
        assertEquals("gpt4o-prod", ErrorShape.json(up.bodyUtf8()).get("model").asText());
        assertEquals(StrictAzureApi.KEY, up.header("api-key"));

        assertEquals("Hello from Azure", text(stream(chat("gpt-4o-v1").build())));
    }

    @Test
    void entraBearerToken() {
        ChatCompletion c =
                client.chat().completions().create(chat("gpt-4o-entra").build());
        assertEquals("Hello from Azure", c.choices().get(0).message().content().orElseThrow());
        RecordedRequest up = upstreamRequest();
        assertEquals(CHAT_PATH, up.uri());
        assertEquals("Bearer " + StrictAzureApi.TOKEN, up.header("authorization"));
        assertNull(up.header("api-key"));
    }

    @Test
    void toolCallsPlainAndStreamedAssembledByTheSdk() {
        ChatCompletionCreateParams params = chat("gpt-4o")
                .addTool(SdkToolCalls.tool("get_weather"))
                .addTool(SdkToolCalls.tool("get_time"))
                .build();
        SdkToolCalls.assertTwoToolCalls(client.chat().completions().create(params));
        com.openai.helpers.ChatCompletionAccumulator acc = com.openai.helpers.ChatCompletionAccumulator.create();
        try (var s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        SdkToolCalls.assertTwoToolCalls(acc.chatCompletion());
    }
}
