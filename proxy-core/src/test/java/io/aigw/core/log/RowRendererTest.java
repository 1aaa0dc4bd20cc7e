package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RowRendererTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final UUID ID = UUID.fromString("0190f1b2-0000-7000-8000-000000000001");

    private final RowRenderer renderer = new RowRenderer(Redactor.builtins());

    private static JsonNode tree(String json) throws Exception {
        return MAPPER.readTree(json);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ExchangeRecord chat(boolean stream, String request, String response) {
        ExchangeRecord r = new ExchangeRecord();
        r.tsEpochMillis = 1_722_950_400_123L;
        r.requestId = "req_abc";
        r.apiKeyHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        r.method = "POST";
        r.endpoint = "/v1/chat/completions";
        r.model = "gpt-4o-2024-08-06";
        r.provider = "openai";
        r.modelResolved = "gpt-4o-2024-08-06";
        r.statusCode = 200;
        r.stream = stream;
        r.attempts = 1;
        r.requestBody = request == null ? null : utf8(request);
        r.responseBody = response == null ? null : utf8(response);
        r.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        r.clientIp = "203.0.113.7";
        return r;
    }

    private LogRow renderStream(String sse, boolean truncated) {
        ExchangeRecord r = chat(true, "{\"stream\":true}", sse);
        r.responseTruncated = truncated;
        return renderer.render(r, ID);
    }

    // ---- plain calls -----------------------------------------------------------------------------

    @Test
    void jsonJsonbRefusesIsKeptWholeAsAFlaggedStringWithItsUsage() throws Exception {
        String request =
                "{\"model\":\"m\",\"temperature\":1e-20000,\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000b\"}]}";
        String response =
                "{\"id\":\"x\",\"weird\":\"\\ud800\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";
        LogRow row = renderer.render(chat(false, request, response), ID);
        assertTrue(row.requestBodyAsText());
        assertTrue(row.responseBodyAsText());
        assertEquals(request, tree(row.requestBody()).asText(), "the whole text, as it came");
        assertEquals(response, tree(row.responseBody()).asText());
        assertEquals(7, row.totalTokens(), "usage is still read from the answer");
        assertEquals(3, row.promptTokens());
    }

    @Test
    void aRedactedBodyJsonbRefusesIsKeptRedactedAsAFlaggedString() throws Exception {
        String request = "{\"content\":\"mail ann@example.com\",\"n\":-1e999999,\"k\":\"\\u0000\"}";
        LogRow row = renderer.render(chat(false, request, null), ID);
        assertTrue(row.requestBodyAsText());
        String text = tree(row.requestBody()).asText();
        assertFalse(text.contains("ann@example.com"), text);
        assertTrue(text.contains("-1e999999") && text.contains("\\u0000"), text);
        assertTrue(tree(text).isObject(), "the text is the redacted JSON");
    }

    @Test
    void valuesJsonbTakesStayJson() throws Exception {
        String request = "{\"a\":1e131071,\"b\":1e-16383,\"c\":0e999999,\"d\":\"\\ud83d\\ude00\",\"e\":\"\\\\u0000\"}";
        LogRow row = renderer.render(chat(false, request, "{\"x\":\"mail ann@example.com\",\"y\":12.5}"), ID);
        assertFalse(row.requestBodyAsText());
        assertFalse(row.responseBodyAsText());
        assertEquals(request, row.requestBody());
        assertTrue(tree(row.responseBody()).isObject());
    }

    @Test
    void plainChatCompletion() throws Exception {
        ExchangeRecord r = chat(false, """
                {"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"Mail ann@example.com please"}],
                 "temperature":0.2,"max_tokens":256}
                """, """
                {"id":"chatcmpl-9xYz","object":"chat.completion","created":1722950400,"model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Sent to ann@example.com."},
                 "finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}
                """);
        r.totalNanos = 1_234_567_890L;
        r.providerNanos = 1_200_000_000L;
        r.ttftNanos = 999_999L;
        r.promptTokens = 12;
        r.completionTokens = 5;
        r.totalTokens = 17;
        r.cachedTokens = 4;
        r.costUsd = 0.0000725;
        r.requestHeaders.addAll(List.of("content-type", "application/json", "user-agent", "OpenAI/Python 1.40.0"));

        LogRow row = renderer.render(r, ID);

        assertEquals(ID, row.logId());
        assertEquals(Instant.ofEpochMilli(1_722_950_400_123L), row.ts());
        assertEquals("req_abc", row.requestId());
        assertEquals(r.apiKeyHash, row.apiKeyHash());
        assertEquals("/v1/chat/completions", row.endpoint());
        assertEquals("gpt-4o-2024-08-06", row.model());
        assertEquals("openai", row.provider());
        assertEquals("gpt-4o-2024-08-06", row.modelResolved());
        assertEquals(200, row.statusCode());
        assertFalse(row.stream());
        assertEquals(1, row.attempts());
        assertNull(row.error());
        assertEquals(1234L, row.totalLatencyMs());
        assertEquals(1200L, row.providerLatencyMs());
        assertEquals(0L, row.ttftMs());
        assertEquals(12, row.promptTokens());
        assertEquals(5, row.completionTokens());
        assertEquals(17, row.totalTokens());
        assertEquals(4, row.cachedTokens());
        assertEquals(0.0000725, row.costUsd(), "the exchange's figure as it is");
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", row.traceId());
        assertEquals("203.0.113.7", row.clientIp());
        assertFalse(row.requestTruncated());
        assertFalse(row.responseTruncated());

        assertEquals(
                tree("{\"content-type\":\"application/json\",\"user-agent\":\"OpenAI/Python 1.40.0\"}"),
                tree(row.requestHeaders()));
        JsonNode request = tree(row.requestBody());
        assertEquals(
                "Mail [REDACTED:email] please",
                request.at("/messages/0/content").asText());
        assertEquals(0.2, request.get("temperature").asDouble());
        JsonNode response = tree(row.responseBody());
        assertEquals(
                "Sent to [REDACTED:email].",
                response.at("/choices/0/message/content").asText());
        assertEquals(17, response.at("/usage/total_tokens").asInt());
        assertEquals(1722950400, response.get("created").asLong());
    }

    @Test
    void unknownsAreNullAndARandomIdIsMade() {
        ExchangeRecord r = chat(false, null, null);
        r.statusCode = 401;
        r.provider = null;
        r.modelResolved = null;
        r.attempts = 0;
        r.error = "invalid_api_key: key sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz01 for ann@example.com is wrong";
        LogRow row = renderer.render(r);
        assertNotEquals(renderer.render(r).logId(), row.logId());
        assertNull(row.requestBody());
        assertNull(row.responseBody());
        assertNull(row.totalLatencyMs());
        assertNull(row.providerLatencyMs());
        assertNull(row.ttftMs());
        assertNull(row.promptTokens());
        assertNull(row.completionTokens());
        assertNull(row.totalTokens());
        assertNull(row.cachedTokens());
        assertNull(row.costUsd(), "NaN (unknown) is stored as null");
        assertNull(row.provider());
        assertEquals("{}", row.requestHeaders());
        assertEquals("invalid_api_key: key [REDACTED:secret] for [REDACTED:email] is wrong", row.error());
    }

    @Test
    void truncatedAndInvalidBodiesBecomeRedactedJsonStrings() throws Exception {
        ExchangeRecord r =
                chat(false, "{\"messages\":[{\"content\":\"mail ann@example.com and more", "not json: x@example.com");
        r.requestTruncated = true;
        LogRow row = renderer.render(r, ID);
        assertTrue(row.requestTruncated());
        JsonNode request = tree(row.requestBody());
        assertTrue(request.isTextual());
        assertEquals("{\"messages\":[{\"content\":\"mail [REDACTED:email] and more", request.asText());
        JsonNode response = tree(row.responseBody());
        assertTrue(response.isTextual());
        assertEquals("not json: [REDACTED:email]", response.asText());

        // Truncated at a point where the bytes still parse: kept as text all the same.
        r.requestBody = utf8("{\"a\":1}");
        assertEquals("\"{\\\"a\\\":1}\"", renderer.render(r, ID).requestBody());

        // Bad UTF-8 and an empty body are not JSON either.
        r.requestTruncated = false;
        r.requestBody = new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'};
        assertEquals(
                "{\"a\":\"\uFFFD\"}", tree(renderer.render(r, ID).requestBody()).asText());
        r.requestBody = new byte[0];
        assertEquals("\"\"", renderer.render(r, ID).requestBody());
    }

    @Test
    void anErrorAnswerToAStreamIsPlainJson() throws Exception {
        ExchangeRecord r = chat(
                true,
                "{\"stream\":true}",
                "{\"error\":{\"message\":\"Rate limit for ann@example.com\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"429\"}}");
        r.statusCode = 429;
        JsonNode response = tree(renderer.render(r, ID).responseBody());
        assertEquals(
                "Rate limit for [REDACTED:email]", response.at("/error/message").asText());
        assertTrue(response.at("/error/param").isNull());
    }

    // ---- headers ---------------------------------------------------------------------------------

    @Test
    void credentialHeadersNeverReachTheRow() throws Exception {
        ExchangeRecord r = chat(false, "{}", "{}");
        r.requestHeaders.addAll(List.of(
                "Authorization", "Bearer sk-client-key-0123456789abcdef",
                "proxy-authorization", "Basic dXNlcjpwYXNz",
                "API-Key", "azure-key-0123456789",
                "x-api-key", "sk-ant-api03-0123456789abcdefghij",
                "Cookie", "session=abc",
                "set-cookie", "id=1",
                "X-Title", "My app (ann@example.com)",
                "accept", "application/json",
                "Accept", "text/event-stream"));
        LogRow row = renderer.render(r, ID);
        assertEquals(tree("""
                {"x-title":"My app ([REDACTED:email])","accept":"application/json, text/event-stream"}
                """), tree(row.requestHeaders()));
        for (String secret : List.of("sk-client", "dXNlcjpwYXNz", "azure-key", "sk-ant", "session", "id=1")) {
            assertFalse(row.requestHeaders().contains(secret), secret);
        }
    }

    @Test
    void headerValuesAreEscapedIntoValidJson() throws Exception {
        ExchangeRecord r = chat(false, "{}", "{}");
        String odd = "say \"hi\" \\ tab\t nl\n bell\u0007 \u00e9t\u00e9 \ud83d\ude00 </script>";
        r.requestHeaders.addAll(List.of("User-Agent", odd, " X-Odd ", "", "x-odd", "two"));
        LogRow row = renderer.render(r, ID);
        JsonNode headers = tree(row.requestHeaders());
        assertEquals(odd, headers.get("user-agent").asText());
        assertEquals(", two", headers.get("x-odd").asText(), "names are trimmed and lower-cased, repeats joined");
        assertEquals(2, headers.size());
        assertEquals("{}", renderer.render(chat(false, "{}", "{}"), ID).requestHeaders());
    }

    // ---- streams ---------------------------------------------------------------------------------

    @Test
    void streamedChatContent() throws Exception {
        String sse = """
                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello, write to "},"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"ann@exam"},"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"ple.com \\u00e9t\\u00e9."},"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}

                data: [DONE]

                """;
        LogRow row = renderStream(sse, false);
        assertTrue(row.stream());
        // The email split across two chunks is whole again, so it is redacted.
        assertEquals(tree("""
                {"content":"Hello, write to [REDACTED:email] été.","finish_reason":"stop",
                 "usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}
                """), tree(row.responseBody()));
    }

    @Test
    void streamedToolCallsSplitAcrossDeltas() throws Exception {
        String sse = """
                data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\": "}}]},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"send_mail","arguments":"{\\"to\\":"}}]},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}}]},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\\"ann@example.com\\"}"}}]},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

                data: [DONE]

                """;
        JsonNode message = tree(renderStream(sse, false).responseBody());
        assertEquals(tree("""
                {"content":null,
                 "tool_calls":[
                   {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\": \\"Paris\\"}"}},
                   {"id":"call_b","type":"function","function":{"name":"send_mail","arguments":"{\\"to\\":\\"[REDACTED:email]\\"}"}}],
                 "finish_reason":"tool_calls"}
                """), message);
        assertFalse(message.has("usage"));
        assertFalse(message.has("error"));
        assertFalse(message.has("truncated"));
    }

    @Test
    void toolCallDeltasWithoutAnIndexJoinByIdOrLatest() throws Exception {
        String sse = """
                data: {"choices":[{"delta":{"tool_calls":[{"id":"call_a","type":"function","function":{"name":"f","arguments":"{\\"x\\""}}]}}]}

                data: {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":":1}"}}]}}]}

                data: {"choices":[{"delta":{"tool_calls":[{"id":"call_b","function":{"name":"g","arguments":"{}"}}]}}]}

                data: {"choices":[{"delta":{"tool_calls":[{"id":"call_b","function":{"name":"g"}}]},"finish_reason":"tool_calls"}]}

                """;
        assertEquals(tree("""
                {"content":null,"tool_calls":[
                  {"id":"call_a","type":"function","function":{"name":"f","arguments":"{\\"x\\":1}"}},
                  {"id":"call_b","type":"function","function":{"name":"g","arguments":"{}"}}],
                 "finish_reason":"tool_calls"}
                """), tree(renderStream(sse, false).responseBody()));
    }

    @Test
    void legacyCompletionsStream() throws Exception {
        String sse = """
                data: {"id":"cmpl-1","object":"text_completion","choices":[{"text":"Once upon","index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}

                data: {"id":"cmpl-1","object":"text_completion","choices":[{"text":" a time, call 020 7946 0958","index":0,"logprobs":null,"finish_reason":null}]}

                data: {"id":"cmpl-1","object":"text_completion","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}]}

                data: [DONE]

                """;
        ExchangeRecord r = chat(true, "{\"prompt\":\"Tell a story\",\"stream\":true}", sse);
        r.endpoint = "/v1/completions";
        assertEquals(
                tree("{\"content\":\"Once upon a time, call [REDACTED:phone]\",\"finish_reason\":\"length\"}"),
                tree(renderer.render(r, ID).responseBody()));
    }

    @Test
    void streamEndingWithAnErrorEvent() throws Exception {
        String sse = """
                data: {"choices":[{"index":0,"delta":{"content":"Partial answer"},"finish_reason":null}]}

                data: {"error":{"message":"Provider 'openai' stopped for ann@example.com","type":"server_error","param":null,"code":"upstream_error"}}

                """;
        assertEquals(tree("""
                {"content":"Partial answer","finish_reason":null,
                 "error":{"message":"Provider 'openai' stopped for [REDACTED:email]","type":"server_error","param":null,"code":"upstream_error"}}
                """), tree(renderStream(sse, false).responseBody()));
    }

    @Test
    void namedErrorEventsAndNonJsonErrors() throws Exception {
        String named =
                "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\nevent: error\ndata: {\"message\":\"overloaded\"}\n\n";
        assertEquals(
                tree("{\"content\":\"Hi\",\"finish_reason\":null,\"error\":{\"message\":\"overloaded\"}}"),
                tree(renderStream(named, false).responseBody()));
        String text = "event: error\ndata: upstream went away, tell ann@example.com\n\n";
        assertEquals(
                tree(
                        "{\"content\":null,\"finish_reason\":null,\"error\":\"upstream went away, tell [REDACTED:email]\"}"),
                tree(renderStream(text, false).responseBody()));
    }

    @Test
    void truncatedStreamIsAssembledFromWhatIsThere() throws Exception {
        String sse = """
                data: {"choices":[{"index":0,"delta":{"content":"The first part"},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{"content":", the second"},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{"content":", the thi""";
        LogRow row = renderStream(sse, true);
        assertTrue(row.responseTruncated());
        assertEquals(
                tree("{\"content\":\"The first part, the second\",\"finish_reason\":null,\"truncated\":true}"),
                tree(row.responseBody()));

        // Cut just before the blank line that would end the last event: that event is whole and counts.
        String cutAtEventEnd =
                "data: {\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"B\"}}]}";
        assertEquals(
                tree("{\"content\":\"AB\",\"finish_reason\":null,\"truncated\":true}"),
                tree(renderStream(cutAtEventEnd, true).responseBody()));

        // Cut inside a multi-byte character: that last event is not JSON and is left out.
        byte[] bytes = utf8(
                "data: {\"choices\":[{\"delta\":{\"content\":\"caf\u00e9\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"\u00e9");
        ExchangeRecord r = chat(true, "{}", null);
        r.responseBody = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        r.responseTruncated = true;
        assertEquals(
                "café",
                tree(renderer.render(r, ID).responseBody()).get("content").asText());
    }

    @Test
    void sseFramingPerTheSpec() throws Exception {
        // CRLF and lone CR line ends, comments, id/retry fields, no space after the colon, and one JSON
        // split over several data lines (joined with \n, which JSON reads as white space).
        String sse = ": keep-alive\r\n\r\n"
                + "id: 1\r\nretry: 1000\r\ndata:{\"choices\":[{\"index\":0,\r\ndata: \"delta\":{\"content\":\"one \"}}]}\r\n\r\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"two\"}}]}\r\r"
                + ":comment\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n";
        assertEquals(
                tree("{\"content\":\"one two\",\"finish_reason\":\"stop\"}"),
                tree(renderStream(sse, false).responseBody()));
    }

    @Test
    void severalChoicesGoIntoAList() throws Exception {
        String sse = """
                data: {"choices":[{"index":0,"delta":{"content":"Red"},"finish_reason":null},{"index":1,"delta":{"content":"Blue"},"finish_reason":null}]}

                data: {"choices":[{"index":1,"delta":{"content":" sky"},"finish_reason":"stop"}]}

                data: {"choices":[{"index":0,"delta":{"content":" rose"},"finish_reason":"stop"}]}

                data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}

                data: [DONE]

                """;
        assertEquals(tree("""
                {"choices":[{"index":0,"content":"Red rose","finish_reason":"stop"},
                            {"index":1,"content":"Blue sky","finish_reason":"stop"}],
                 "usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}
                """), tree(renderStream(sse, false).responseBody()));
    }

    @Test
    void oddStreamsStillGiveJson() throws Exception {
        assertEquals(
                tree("{\"content\":null,\"finish_reason\":null}"),
                tree(renderStream("", false).responseBody()));
        String foreign = "data: not json\n\ndata: [1,2]\n\ndata: {\"choices\":\"nope\",\"usage\":3}\n\n"
                + "data: {\"choices\":[null,{\"index\":\"x\",\"delta\":{\"content\":[1],\"tool_calls\":{}}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n";
        assertEquals(
                tree("{\"content\":\"ok\",\"finish_reason\":null}"),
                tree(renderStream(foreign, false).responseBody()));
    }

    // ---- client APIs -----------------------------------------------------------------------------

    @Test
    void theClientApiIsStoredAndPicksTheStreamAssembler() throws Exception {
        ExchangeRecord r = chat(true, "{\"stream\":true}", null);
        r.endpoint = "/v1/messages";
        r.clientApi = "anthropic";
        r.responseBody = StreamAssemblersTest.fixture("anthropic-text.sse");
        LogRow row = renderer.render(r, ID);
        assertEquals("anthropic", row.clientApi());
        assertEquals("Hello, wörld 👋", tree(row.responseBody()).get("content").asText());
        assertEquals("stop", tree(row.responseBody()).get("finish_reason").asText());

        r = chat(true, "{\"stream\":true}", null);
        r.clientApi = "responses";
        r.responseBody = StreamAssemblersTest.fixture("responses-text.sse");
        row = renderer.render(r, ID);
        assertEquals("responses", row.clientApi());
        assertEquals(123, tree(row.responseBody()).at("/usage/total_tokens").asInt());

        assertNull(renderer.render(chat(false, "{}", "{}"), ID).clientApi(), "unknown stays unknown");
        assertEquals("responses", RowFallback.metadataOnly(r).clientApi(), "a row that could not be rendered keeps it");
    }

    @Test
    void aWholeMessagesAnswerCountsItsCacheInThePrompt() throws Exception {
        ExchangeRecord r = chat(false, "{}", """
                {"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}],
                 "stop_reason":"end_turn","usage":{"input_tokens":10,"cache_creation_input_tokens":5,
                 "cache_read_input_tokens":100,"output_tokens":7}}
                """);
        r.clientApi = "anthropic";
        LogRow row = renderer.render(r, ID);
        assertEquals(115, row.promptTokens(), "input + cache writes + cache reads, OpenAI's meaning of prompt");
        assertEquals(7, row.completionTokens());
        assertEquals(122, row.totalTokens(), "Anthropic gives no total: the sum");
    }

    @Test
    void aWholeResponsesAnswerGivesItsUsage() throws Exception {
        ExchangeRecord r = chat(false, "{}", """
                {"id":"resp_1","object":"response","status":"completed","output":[],
                 "usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":8},"output_tokens":87,
                 "output_tokens_details":{"reasoning_tokens":3},"total_tokens":123}}
                """);
        r.clientApi = "responses";
        LogRow row = renderer.render(r, ID);
        assertEquals(36, row.promptTokens());
        assertEquals(87, row.completionTokens());
        assertEquals(123, row.totalTokens());
    }

    @Test
    void theRecordsUsageStandsWhenTheBodyHasNone() {
        ExchangeRecord r = chat(false, "{}", "{\"input_tokens\":42}"); // a count_tokens answer
        r.promptTokens = 3;
        r.completionTokens = 0;
        r.totalTokens = 3;
        LogRow row = renderer.render(r, ID);
        assertEquals(3, row.promptTokens());
        assertEquals(0, row.completionTokens());
        assertEquals(3, row.totalTokens());
    }

    @Test
    void ollamasWholeCallsAtIndexZeroAreSeparateCalls() throws Exception {
        String sse = """
                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]}}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]}}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":""}}]},"finish_reason":"stop"}]}

                """;
        assertEquals(tree("""
                {"content":null,"tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                  {"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}],
                 "finish_reason":"stop"}
                """), tree(renderStream(sse, false).responseBody()));
    }
}
