package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import io.aigw.server.testing.TestUpstream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Anthropic Java SDK, unmodified, against {@code /v1/messages} routed to an OpenAI-compatible
 * provider (tool calls streamed in fragments, and whole as Ollama sends them), to an Anthropic provider
 * (passed through), and to native Ollama and Gemini ones (through chat and their dialects): text, stop reasons, usage, a streamed tool call assembled whole by
 * {@link MessageAccumulator}, a tool round trip, {@code max_tokens}, errors typed as the SDK types them,
 * and token counting both ways. Every provider is a strict mock that rejects what the real API rejects.
 */
class AnthropicMessagesSdkIT {
    static TestUpstream openai;
    static TestUpstream openaiWhole;
    static TestUpstream anthropic;
    static TestUpstream ollama;
    static TestUpstream gemini;
    static ProxyHarness proxy;
    static AnthropicClient client;

    @BeforeAll
    static void start() throws Exception {
        openai = TestUpstream.start();
        openai.setDefault(new StrictOpenAiChatApi(false)::answer);
        openaiWhole = TestUpstream.start();
        openaiWhole.setDefault(new StrictOpenAiChatApi(true)::answer);
        anthropic = TestUpstream.start();
        anthropic.setDefault(StrictAnthropicApi::answer);
        ollama = TestUpstream.start();
        ollama.setDefault(StrictOllamaApi::answer);
        gemini = TestUpstream.start();
        gemini.setDefault(StrictGeminiApi::answer);
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%1$s"]}
                providers:
                  gpt: {type: openai, base_url: "http://127.0.0.1:%2$d/v1", api_key: "%3$s"}
                  whole: {type: openai, base_url: "http://127.0.0.1:%4$d/v1", api_key: "%3$s"}
                  claude: {type: anthropic, base_url: "http://127.0.0.1:%5$d", api_key: "%6$s"}
                  local: {type: ollama, base_url: "http://127.0.0.1:%7$d"}
                  google: {type: gemini, base_url: "http://127.0.0.1:%8$d", api_key: "%9$s"}
                models:
                  gpt: {retries: {count: 0}, providers: {gpt: {model_id: gpt-4o}}}
                  gpt-whole: {retries: {count: 0}, providers: {whole: {model_id: llama3.1}}}
                  claude: {retries: {count: 0}, providers: {claude: {model_id: claude-sonnet-4-5}}}
                  llama: {retries: {count: 0}, providers: {local: {model_id: llama3.1}}}
                  gemini: {retries: {count: 0}, providers: {google: {model_id: models/gemini-2.5-flash}}}
                  gpt-rate-limited: {retries: {count: 0}, providers: {gpt: {model_id: rate-limited}}}
                  gpt-overloaded: {retries: {count: 0}, providers: {gpt: {model_id: overloaded}}}
                  claude-rate-limited: {retries: {count: 0}, providers: {claude: {model_id: rate-limited}}}
                  claude-overloaded: {retries: {count: 0}, providers: {claude: {model_id: overloaded}}}
                """.formatted(
                        ProxyHarness.KEY,
                        openai.port(),
                        StrictOpenAiChatApi.KEY,
                        openaiWhole.port(),
                        anthropic.port(),
                        StrictAnthropicApi.KEY,
                        ollama.port(),
                        gemini.port(),
                        StrictGeminiApi.KEY));
        client = AnthropicOkHttpClient.builder()
                .apiKey(ProxyHarness.KEY)
                .baseUrl(proxy.url(""))
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        proxy.close();
        openai.close();
        openaiWhole.close();
        anthropic.close();
        ollama.close();
        gemini.close();
    }

    private static MessageCreateParams.Builder ask(String model) {
        return MessageCreateParams.builder()
                .model(model)
                .maxTokens(1024)
                .system("Be brief.")
                .addUserMessage("Say hello");
    }

    private static Tool weather() {
        return Tool.builder()
                .name("get_weather")
                .description("Weather for a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .required(List.of("city"))
                        .build())
                .build();
    }

    private static String text(Message m) {
        return m.content().stream()
                .filter(ContentBlock::isText)
                .map(b -> b.asText().text())
                .collect(Collectors.joining());
    }

    private static Message streamed(MessageCreateParams params) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt", "gpt-whole", "claude", "llama", "gemini"})
    void textWithStopReasonAndUsage(String model) {
        Message m = client.messages().create(ask(model).build());
        assertEquals("Hello there", text(m));
        assertEquals(StopReason.END_TURN, m.stopReason().orElseThrow());
        assertTrue(m.id().startsWith("msg_"), m.id());
        if (model.equals("claude")) {
            assertEquals(10, m.usage().inputTokens());
            assertEquals(5, m.usage().cacheReadInputTokens().orElseThrow());
            assertEquals(4, m.usage().outputTokens());
        } else if (model.equals("llama") || model.equals("gemini")) {
            assertTrue(
                    m.usage().inputTokens() > 0 && m.usage().outputTokens() > 0,
                    m.usage().toString());
        } else {
            // OpenAI's 12 prompt tokens of which 2 cached: Anthropic counts them apart.
            assertEquals(10, m.usage().inputTokens());
            assertEquals(2, m.usage().cacheReadInputTokens().orElseThrow());
            assertEquals(5, m.usage().outputTokens());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt", "gpt-whole", "claude", "llama", "gemini"})
    void streamedTextAccumulatesWithUsage(String model) {
        Message m = streamed(ask(model).build());
        assertEquals("Hello there", text(m));
        assertEquals(StopReason.END_TURN, m.stopReason().orElseThrow());
        assertTrue(m.usage().outputTokens() > 0, "usage from message_delta");
        if (model.startsWith("gpt")) {
            assertEquals(10, m.usage().inputTokens());
            assertEquals(5, m.usage().outputTokens());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt", "gpt-whole", "claude", "llama", "gemini"})
    void streamedToolCallIsAssembledWhole(String model) {
        Message m = streamed(ask(model).addTool(weather()).build());
        assertEquals(StopReason.TOOL_USE, m.stopReason().orElseThrow());
        ToolUseBlock call = m.content().stream()
                .filter(ContentBlock::isToolUse)
                .map(ContentBlock::asToolUse)
                .findFirst()
                .orElseThrow();
        assertEquals("get_weather", call.name());
        assertEquals(JsonValue.from(Map.of("city", "Paris")), call._input());
        assertTrue(call.id().matches("[a-zA-Z0-9_-]+"), call.id());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt", "claude", "llama", "gemini"})
    void toolRoundTrip(String model) {
        MessageCreateParams first = ask(model).addTool(weather()).build();
        Message call = client.messages().create(first);
        assertEquals(StopReason.TOOL_USE, call.stopReason().orElseThrow());
        // Every call is answered, as Anthropic (and Gemini behind it) require.
        List<ContentBlockParam> results = call.content().stream()
                .filter(ContentBlock::isToolUse)
                .map(b -> ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                        .toolUseId(b.asToolUse().id())
                        .content(b.asToolUse().name().equals("get_weather") ? "Sunny, 21C" : "12:00")
                        .build()))
                .collect(Collectors.toList());
        assertFalse(results.isEmpty());
        Message answer = client.messages()
                .create(first.toBuilder()
                        .addMessage(call)
                        .addUserMessageOfContentBlockParams(results)
                        .build());
        assertEquals("It is sunny in Paris.", text(answer));
        assertEquals(StopReason.END_TURN, answer.stopReason().orElseThrow());
    }

    @Test
    void maxTokensStopsTheAnswer() {
        Message m = client.messages().create(ask("gpt").maxTokens(2).build());
        assertEquals(StopReason.MAX_TOKENS, m.stopReason().orElseThrow());
        Message s = streamed(ask("gpt").maxTokens(2).build());
        assertEquals(StopReason.MAX_TOKENS, s.stopReason().orElseThrow());
        assertEquals("Hello", text(s));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt", "claude"})
    void errorsAreTypedByTheSdk(String model) {
        RateLimitException limited = assertThrows(
                RateLimitException.class,
                () -> client.messages().create(ask(model + "-rate-limited").build()));
        assertEquals(ErrorType.RATE_LIMIT_ERROR, limited.errorType().orElseThrow());

        AnthropicServiceException overloaded = assertThrows(
                AnthropicServiceException.class,
                () -> client.messages().create(ask(model + "-overloaded").build()));
        assertTrue(overloaded.statusCode() >= 500, "status " + overloaded.statusCode());
        assertEquals(ErrorType.OVERLOADED_ERROR, overloaded.errorType().orElseThrow());

        // A server tool has no chat equivalent: the gateway refuses it; Anthropic's mock refuses the beta.
        BadRequestException bad = assertThrows(
                BadRequestException.class,
                () -> client.messages()
                        .create(ask(model)
                                .putAdditionalHeader("anthropic-beta", "no-such-beta-2099-01-01")
                                .putAdditionalBodyProperty("container", JsonValue.from("c1"))
                                .build()));
        assertEquals(ErrorType.INVALID_REQUEST_ERROR, bad.errorType().orElseThrow());
    }

    @Test
    void wrongKeyAndUnknownModelAreTyped() {
        AnthropicClient wrong = AnthropicOkHttpClient.builder()
                .apiKey("sk-not-a-gateway-key")
                .baseUrl(proxy.url(""))
                .maxRetries(0)
                .build();
        try {
            UnauthorizedException e = assertThrows(
                    UnauthorizedException.class,
                    () -> wrong.messages().create(ask("gpt").build()));
            assertEquals(ErrorType.AUTHENTICATION_ERROR, e.errorType().orElseThrow());
            assertFalse(e.getMessage().contains("sk-not-a-gateway-key"));
        } finally {
            wrong.close();
        }
        NotFoundException nf = assertThrows(
                NotFoundException.class,
                () -> client.messages().create(ask("no-such-model").build()));
        assertEquals(ErrorType.NOT_FOUND_ERROR, nf.errorType().orElseThrow());
    }

    @Test
    void countTokensBothWays() {
        MessageCountTokensParams.Builder count =
                MessageCountTokensParams.builder().system("Be brief.").addUserMessage("Hello, world");
        assertEquals(
                StrictAnthropicApi.COUNTED_TOKENS,
                client.messages().countTokens(count.model("claude").build()).inputTokens());
        assertEquals(
                6, client.messages().countTokens(count.model("gpt").build()).inputTokens());
    }
}
