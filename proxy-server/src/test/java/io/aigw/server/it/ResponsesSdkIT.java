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
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.TestUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK's Responses API ({@code responses().create}, {@code createStreaming} with
 * {@link ResponseAccumulator}, retrieve, delete) through the gateway to a chat-only provider
 * ({@link ChatOnlyResponder}) and to a native one ({@link StrictResponsesApi}); and, first, straight
 * against the native mock, which proves the mock parses. Every Response is {@code validate()}d: each
 * required key present with the right type.
 */
class ResponsesSdkIT {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    static TestUpstream anthropicUpstream;
    static TestUpstream geminiUpstream;
    static TestUpstream nativeUpstream;
    static TestUpstream chatUpstream;
    static StrictResponsesApi nativeApi;
    static ProxyHarness proxy;
    static OpenAIClient direct;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        nativeApi = new StrictResponsesApi();
        nativeUpstream = TestUpstream.start();
        nativeUpstream.setDefault(nativeApi::answer);
        chatUpstream = TestUpstream.start();
        chatUpstream.setDefault(ChatOnlyResponder::answer);
        anthropicUpstream = TestUpstream.start();
        anthropicUpstream.setDefault(StrictAnthropicApi::answer);
        geminiUpstream = TestUpstream.start();
        geminiUpstream.setDefault(StrictGeminiApi::answer);
        direct = client(nativeUpstream.baseUrl(), StrictResponsesApi.KEY);
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  chatonly: {type: openai, base_url: "%s", api_key: sk-chat-key}
                  decoy: {type: openai, base_url: "%s", api_key: sk-decoy-key, responses: native}
                  native: {type: openai, base_url: "%s", api_key: "%s", responses: native}
                  claude: {type: anthropic, base_url: "%s", api_key: "%s"}
                  google: {type: gemini, base_url: "%s", api_key: "%s"}
                models:
                  chat-model:
                    retries: {count: 0}
                    providers:
                      chatonly: {model_id: chat-1}
                  native-model:
                    retries: {count: 0}
                    providers:
                      native: {model_id: gpt-native}
                  claude-model:
                    retries: {count: 0}
                    providers:
                      claude: {model_id: claude-sonnet-4-5, max_tokens: 1024}
                  gemini-model:
                    retries: {count: 0}
                    providers:
                      google: {model_id: gemini-2.5-flash}
                """.formatted(
                        ProxyHarness.KEY,
                        chatUpstream.baseUrl(),
                        chatUpstream.baseUrl(),
                        nativeUpstream.baseUrl(),
                        StrictResponsesApi.KEY,
                        "http://127.0.0.1:" + anthropicUpstream.port(),
                        StrictAnthropicApi.KEY,
                        "http://127.0.0.1:" + geminiUpstream.port(),
                        StrictGeminiApi.KEY));
        client = client(proxy.url("/v1"), ProxyHarness.KEY);
    }

    @AfterAll
    static void stop() {
        client.close();
        direct.close();
        proxy.close();
        chatUpstream.close();
        nativeUpstream.close();
        anthropicUpstream.close();
        geminiUpstream.close();
    }

    @BeforeEach
    void forget() {
        while (chatUpstream.takeRequest(Duration.ZERO) != null) {}
        while (nativeUpstream.takeRequest(Duration.ZERO) != null) {}
    }

    static OpenAIClient client(String baseUrl, String key) {
        return OpenAIOkHttpClient.builder()
                .apiKey(key)
                .baseUrl(baseUrl)
                .maxRetries(0)
                .build();
    }

    static FunctionTool weatherTool() {
        return FunctionTool.builder()
                .name("get_weather")
                .description("Weather by city")
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .strict(false)
                .build();
    }

    static String text(Response r) {
        return r.output()
                .get(0)
                .message()
                .orElseThrow()
                .content()
                .get(0)
                .outputText()
                .orElseThrow()
                .text();
    }

    /** Streams, feeding every event to an accumulator; returns the accumulated response. */
    static Response stream(OpenAIClient c, ResponseCreateParams params, List<ResponseStreamEvent> seen) {
        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = c.responses().createStreaming(params)) {
            s.stream().forEach(e -> {
                seen.add(e);
                acc.accumulate(e);
            });
        }
        return acc.response();
    }

    /** Text, a function call and its output round trip, and usage: against any Responses server. */
    static void checkTextToolsAndUsage(OpenAIClient c, String model) throws Exception {
        Response plain = c.responses()
                .create(ResponseCreateParams.builder().model(model).input("Hi").build())
                .validate();
        assertEquals("Hello there", text(plain));
        assertEquals(ResponseStatus.COMPLETED, plain.status().orElseThrow());
        ResponseUsage usage = plain.usage().orElseThrow();
        assertTrue(usage.inputTokens() > 0 && usage.outputTokens() > 0, usage::toString);
        assertEquals(usage.inputTokens() + usage.outputTokens(), usage.totalTokens());
        assertTrue(usage.inputTokensDetails().cachedTokens() > 0, "cached tokens reach the client");

        List<ResponseStreamEvent> events = new ArrayList<>();
        Response streamed = stream(
                c,
                ResponseCreateParams.builder()
                        .model(model)
                        .input("Weather in Paris?")
                        .addTool(weatherTool())
                        .build(),
                events);
        streamed.validate();
        assertTrue(events.get(0).isCreated(), "response.created first");
        assertTrue(events.get(events.size() - 1).isCompleted(), "response.completed last");
        long deltas = events.stream()
                .filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
                .count();
        assertTrue(deltas >= 2, "arguments arrive in fragments: " + deltas);
        List<ResponseFunctionToolCall> calls = streamed.output().stream()
                .map(ResponseOutputItem::functionCall)
                .flatMap(java.util.Optional::stream)
                .toList();
        ResponseFunctionToolCall call = calls.get(0);
        assertEquals("get_weather", call.name());
        assertEquals("Paris", JSON.readTree(call.arguments()).path("city").asText(), "arguments assembled whole");
        assertTrue(streamed.usage().orElseThrow().totalTokens() > 0, "usage in response.completed");

        // The next turn answers every call, as an agent loop does.
        List<ResponseInputItem> input = new ArrayList<>();
        input.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
                .role(EasyInputMessage.Role.USER)
                .content("Weather in Paris?")
                .build()));
        calls.forEach(fc -> input.add(ResponseInputItem.ofFunctionCall(fc)));
        calls.forEach(fc ->
                input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                        .callId(fc.callId())
                        .output(fc.name().equals("get_weather") ? "sunny, 24C" : "12:00")
                        .build())));
        Response answer = c.responses()
                .create(ResponseCreateParams.builder()
                        .model(model)
                        .inputOfResponse(input)
                        .addTool(weatherTool())
                        .store(false)
                        .build())
                .validate();
        assertEquals("It is sunny in Paris.", text(answer));
    }

    @Test
    void mockSelfCheckTextToolsUsage() throws Exception {
        checkTextToolsAndUsage(direct, "gpt-native");
    }

    @Test
    void mockSelfCheckStoresForRetrieveAndDelete() {
        Response created = direct.responses()
                .create(ResponseCreateParams.builder()
                        .model("gpt-native")
                        .input("Hi")
                        .build());
        Response again = direct.responses().retrieve(created.id()).validate();
        assertEquals(created.id(), again.id());
        assertEquals("Hello there", text(again));
        direct.responses().delete(created.id());
        assertThrows(NotFoundException.class, () -> direct.responses().retrieve(created.id()));
        assertFalse(nativeApi.storedIds().contains(created.id()));
    }

    static int nativeRequestsBefore;

    @BeforeEach
    void count() {
        nativeRequestsBefore = nativeUpstream.requestCount();
    }

    @Test
    void chatOnlyProviderTextToolsUsage() throws Exception {
        checkTextToolsAndUsage(client, "chat-model");
        RecordedRequest first = chatUpstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1/chat/completions", first.uri(), "a chat-only provider gets chat");
        assertTrue(
                first.bodyUtf8().contains("\"messages\"") && !first.bodyUtf8().contains("\"input\""));
        assertTrue(first.bodyUtf8().contains("\"model\":\"chat-1\""), first.bodyUtf8());
        assertEquals(0, nativeUpstream.requestCount() - nativeRequestsBefore, "nothing reached the native provider");
    }

    @Test
    void nativeProviderTextToolsUsage() throws Exception {
        checkTextToolsAndUsage(client, "native-model");
        RecordedRequest first = nativeUpstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1/responses", first.uri(), "passed through");
        assertTrue(first.bodyUtf8().contains("\"model\":\"gpt-native\""), first.bodyUtf8());
        RecordedRequest streamed = nativeUpstream.takeRequest(Duration.ofSeconds(5));
        assertTrue(streamed.bodyUtf8().contains("\"stream\":true"));
        assertFalse(streamed.bodyUtf8().contains("stream_options"), "no include_usage for the Responses API");
    }

    /** Through chat to a foreign dialect: Responses -> chat -> Anthropic Messages, and back twice. */
    @Test
    void anthropicProviderTextToolsUsage() throws Exception {
        checkTextToolsAndUsage(client, "claude-model");
    }

    /** Through chat to Gemini: whole calls, thought signatures carried in the call ids, CRLF events. */
    @Test
    void geminiProviderTextToolsUsage() throws Exception {
        checkTextToolsAndUsage(client, "gemini-model");
    }

    /** Conversation state lives at the provider: on a chat-only one, a 400 that says what would work. */
    @Test
    void chatOnlyRefusesPreviousResponseIdAndStore() {
        int before = chatUpstream.requestCount();
        BadRequestException previous = assertThrows(
                BadRequestException.class,
                () -> client.responses()
                        .create(ResponseCreateParams.builder()
                                .model("chat-model")
                                .input("Hi")
                                .previousResponseId("resp_1")
                                .build()));
        assertEquals("previous_response_id", previous.param().orElseThrow());
        assertTrue(previous.getMessage().contains("responses: native"), previous.getMessage());
        BadRequestException store = assertThrows(
                BadRequestException.class,
                () -> client.responses()
                        .create(ResponseCreateParams.builder()
                                .model("chat-model")
                                .input("Hi")
                                .store(true)
                                .build()));
        assertEquals("store", store.param().orElseThrow());
        assertEquals(before, chatUpstream.requestCount(), "refused before any upstream call");
    }

    /** On a native provider, state works: previous_response_id reaches it, and the stored response is found. */
    @Test
    void nativeProviderKeepsState() {
        Response first = client.responses()
                .create(ResponseCreateParams.builder()
                        .model("native-model")
                        .input("Hi")
                        .build());
        Response second = client.responses()
                .create(ResponseCreateParams.builder()
                        .model("native-model")
                        .input("And again?")
                        .previousResponseId(first.id())
                        .build())
                .validate();
        assertEquals(first.id(), second.previousResponseId().orElseThrow());
    }

    /**
     * GET and DELETE by id ask the native providers in config order: the decoy (first) answers 404, so
     * the gateway moves on to the one that made the response; a 404 from the last one is the client's.
     */
    @Test
    void nativeRetrieveAndDeleteThroughTheGateway() throws Exception {
        Response created = client.responses()
                .create(ResponseCreateParams.builder()
                        .model("native-model")
                        .input("Hi")
                        .build());
        int decoyBefore = chatUpstream.requestCount();
        Response found = client.responses().retrieve(created.id()).validate();
        assertEquals(created.id(), found.id());
        assertEquals("Hello there", text(found));
        RecordedRequest asked = chatUpstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("GET", asked.method());
        assertEquals("/v1/responses/" + created.id(), asked.uri(), "the first native provider was asked first");
        assertEquals(decoyBefore + 1, chatUpstream.requestCount());

        java.net.http.HttpResponse<String> items = proxy.get("/v1/responses/" + created.id() + "/input_items?limit=5");
        assertEquals(200, items.statusCode(), items.body());
        assertEquals("list", JSON.readTree(items.body()).path("object").asText(), "sub-resources pass through too");

        client.responses().delete(created.id());
        assertFalse(nativeApi.storedIds().contains(created.id()), "DELETE reached the provider that had it");
        RecordedRequest deleted = nativeUpstream.takeRequest(Duration.ofSeconds(5));
        while (deleted != null && !deleted.method().equals("DELETE")) {
            deleted = nativeUpstream.takeRequest(Duration.ofSeconds(5));
        }
        assertEquals("Bearer " + StrictResponsesApi.KEY, deleted.header("authorization"), "that provider's key");
        NotFoundException gone =
                assertThrows(NotFoundException.class, () -> client.responses().retrieve(created.id()));
        assertTrue(gone.getMessage().contains(created.id()), gone.getMessage());
    }

    @Test
    void mockSelfCheckRejectsUnknownPreviousResponse() {
        assertThrows(
                BadRequestException.class,
                () -> direct.responses()
                        .create(ResponseCreateParams.builder()
                                .model("gpt-native")
                                .input("Hi")
                                .previousResponseId("resp_nope")
                                .build()));
    }
}
