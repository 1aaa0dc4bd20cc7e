package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.aigw.server.testing.TestUpstream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK pointed at the proxy, as a user would: every endpoint, both ways. */
class OpenAiSdkIT {
    static TestUpstream upstream;
    static ProxyHarness proxy;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(OpenAiCompatibleProvider::answer);
        proxy = ProxyHarness.start(
                upstream.baseUrl(),
                null,
                "gpt-4o-mini",
                "up-chat",
                "gpt-3.5-turbo-instruct",
                "up-instruct",
                "text-embedding-3-small",
                "up-embed");
        client = sdk(ProxyHarness.KEY);
    }

    static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder()
                .apiKey(key)
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

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Say hello");
    }

    @Test
    void chatCompletion() {
        ChatCompletion c = client.chat().completions().create(chat().build());
        assertEquals(
                "Hello from up-chat", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        assertEquals(13, c.usage().orElseThrow().totalTokens());
    }

    @Test
    void streamedChatWithoutUsage() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat().build())) {
            s.stream().forEach(chunks::add);
        }
        String text = chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse(""))
                .collect(Collectors.joining());
        assertEquals("Hello there", text);
        assertTrue(chunks.stream().allMatch(c -> c.usage().isEmpty()), "no usage chunk when not asked for");
        assertFalse(chunks.get(chunks.size() - 1).choices().isEmpty());
    }

    @Test
    void streamedChatWithUsage() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletionCreateParams params = chat().streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunks::add);
        }
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertEquals(12, last.usage().orElseThrow().totalTokens());
    }

    @Test
    void legacyCompletion() {
        Completion c = client.completions()
                .create(CompletionCreateParams.builder()
                        .model("gpt-3.5-turbo-instruct")
                        .prompt(CompletionCreateParams.Prompt.ofString("Hello"))
                        .build());
        assertEquals(" world", c.choices().get(0).text());
        assertEquals(3, c.usage().orElseThrow().totalTokens());
    }

    @Test
    void streamedLegacyCompletion() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> s = client.completions()
                .createStreaming(CompletionCreateParams.builder()
                        .model("gpt-3.5-turbo-instruct")
                        .prompt(CompletionCreateParams.Prompt.ofString("Hello"))
                        .build())) {
            s.stream().forEach(c -> c.choices().forEach(ch -> text.append(ch.text())));
        }
        assertEquals(" world", text.toString());
    }

    @Test
    void embeddingsAsFloatsAndAsBase64() {
        for (EmbeddingCreateParams.EncodingFormat format : new EmbeddingCreateParams.EncodingFormat[] {
            EmbeddingCreateParams.EncodingFormat.FLOAT, EmbeddingCreateParams.EncodingFormat.BASE64
        }) {
            CreateEmbeddingResponse r = client.embeddings()
                    .create(EmbeddingCreateParams.builder()
                            .model("text-embedding-3-small")
                            .input("hi")
                            .encodingFormat(format)
                            .build());
            assertEquals(List.of(0.5f, -1.25f, 3.0f), r.data().get(0).embedding(), format.toString());
            assertEquals("up-embed", r.model());
        }
    }

    @Test
    void modelsListAndRetrieve() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertEquals(List.of("gpt-4o-mini", "gpt-3.5-turbo-instruct", "text-embedding-3-small"), ids);
        Model m = client.models().retrieve("text-embedding-3-small");
        assertEquals("text-embedding-3-small", m.id());
        assertEquals("mock", m.ownedBy());
    }

    @Test
    void wrongKeyIs401AndUnknownModelIs404() {
        OpenAIClient wrong = sdk("sk-not-a-key");
        try {
            assertThrows(
                    UnauthorizedException.class,
                    () -> wrong.chat().completions().create(chat().build()));
        } finally {
            wrong.close();
        }
        NotFoundException e = assertThrows(
                NotFoundException.class,
                () -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("gpt-9")
                                .addUserMessage("x")
                                .build()));
        assertEquals(404, e.statusCode());
        assertThrows(NotFoundException.class, () -> client.models().retrieve("gpt-9"));
    }

    @Test
    void toolCallsPlainAndStreamedAssembledByTheSdk() {
        ChatCompletionCreateParams params = chat().addTool(SdkToolCalls.tool("get_weather"))
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
