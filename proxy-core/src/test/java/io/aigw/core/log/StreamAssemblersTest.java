package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Anthropic Messages and OpenAI Responses streams, as the client got them, logged in the chat
 * stream's shape: {@code content}, {@code tool_calls}, {@code finish_reason} (OpenAI's words),
 * {@code usage} (the API's own object), {@code error}. Fixtures in {@code log/}, written from
 * PROTOCOLS.md §3.5 and OpenAI's ResponseStreamEvent schemas.
 */
class StreamAssemblersTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final SseAssembler sse = new SseAssembler(new JsonRedaction(Redactor.builtins()));

    static byte[] fixture(String name) {
        try (InputStream in = StreamAssemblersTest.class.getResourceAsStream("/log/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture log/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode assemble(String fixture, String clientApi) throws IOException {
        return MAPPER.readTree(sse.assemble(fixture(fixture), false, clientApi));
    }

    private static JsonNode json(String text) throws IOException {
        return MAPPER.readTree(text);
    }

    @Test
    void anthropicTextWithThinkingAndCacheUsage() throws Exception {
        assertEquals(
                json("{\"content\":\"Hello, wörld 👋\",\"finish_reason\":\"stop\",\"usage\":{\"input_tokens\":25,"
                        + "\"cache_creation_input_tokens\":3,\"cache_read_input_tokens\":100,\"output_tokens\":15}}"),
                assemble("anthropic-text.sse", "anthropic"),
                "thinking is left out; message_delta's cumulative output_tokens replaces message_start's");
    }

    @Test
    void anthropicToolCallsFromFragmentsAndFromTheStartInput() throws Exception {
        assertEquals(
                json("{\"content\":\"Let me check.\",\"tool_calls\":["
                        + "{\"id\":\"toolu_01A\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}},"
                        + "{\"id\":\"toolu_01B\",\"type\":\"function\",\"function\":{\"name\":\"get_time\","
                        + "\"arguments\":\"{}\"}}],"
                        + "\"finish_reason\":\"tool_calls\",\"usage\":{\"input_tokens\":410,\"output_tokens\":57}}"),
                assemble("anthropic-tools.sse", "anthropic"),
                "a null in message_delta's usage does not erase message_start's figure");
    }

    @Test
    void anthropicErrorEventEndsTheStream() throws Exception {
        assertEquals(
                json(
                        "{\"content\":\"Partial\",\"finish_reason\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1},"
                                + "\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
                assemble("anthropic-error.sse", "anthropic"));
    }

    @Test
    void responsesText() throws Exception {
        assertEquals(
                json("{\"content\":\"Hello, wörld 👋\",\"finish_reason\":\"stop\",\"usage\":{\"input_tokens\":36,"
                        + "\"input_tokens_details\":{\"cached_tokens\":8},\"output_tokens\":87,"
                        + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":123}}"),
                assemble("responses-text.sse", "responses"),
                "the .done events and the final output repeat the deltas and are not added twice");
    }

    @Test
    void responsesTextThenTwoFunctionCalls() throws Exception {
        assertEquals(
                json("{\"content\":\"Checking.\",\"tool_calls\":["
                        + "{\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                        + "{\"id\":\"call_B\",\"type\":\"function\",\"function\":{\"name\":\"get_time\","
                        + "\"arguments\":\"{}\"}}],"
                        + "\"finish_reason\":\"tool_calls\",\"usage\":{\"input_tokens\":50,\"output_tokens\":20,"
                        + "\"total_tokens\":70}}"),
                assemble("responses-tools.sse", "responses"));
    }

    @Test
    void responsesIncompleteIsLength() throws Exception {
        assertEquals(
                json("{\"content\":\"Once upon\",\"finish_reason\":\"length\",\"usage\":{\"input_tokens\":5,"
                        + "\"output_tokens\":2,\"total_tokens\":7}}"),
                assemble("responses-incomplete.sse", "responses"));
    }

    @Test
    void responsesErrorEventAndFailedResponse() throws Exception {
        assertEquals(
                json("{\"content\":\"Partial\",\"finish_reason\":null,\"error\":{\"code\":\"server_error\","
                        + "\"message\":\"The upstream connection was lost\",\"param\":null}}"),
                assemble("responses-error.sse", "responses"),
                "the error event's own fields; its type and sequence_number are not the error's");
        assertEquals(
                json("{\"content\":null,\"finish_reason\":null,\"error\":{\"code\":\"server_error\","
                        + "\"message\":\"The model failed to generate a response.\"}}"),
                assemble("responses-failed.sse", "responses"));
    }

    @Test
    void streamedTextIsRedactedWhateverTheApi() throws Exception {
        String anthropic = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"mail ann@example.com\"}}\n\n";
        String responses = "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,"
                + "\"delta\":\"mail ann@example.com\"}\n\n";
        for (String[] c : new String[][] {{anthropic, "anthropic"}, {responses, "responses"}}) {
            String logged = sse.assemble(c[0].getBytes(StandardCharsets.UTF_8), false, c[1]);
            assertFalse(logged.contains("ann@example.com"), logged);
            assertTrue(json(logged).get("content").asText().startsWith("mail "), logged);
        }
    }

    @Test
    void anOpenAiStreamIsAssembledAsBefore() throws Exception {
        byte[] chat = ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n"
                        + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
                .getBytes(StandardCharsets.UTF_8);
        String expected = "{\"content\":\"hi\",\"finish_reason\":\"stop\"}";
        assertEquals(expected, sse.assemble(chat, false));
        assertEquals(expected, sse.assemble(chat, false, "openai"));
        assertEquals(expected, sse.assemble(chat, false, null));
    }

    /** A stream cut by the capture limit anywhere still gives JSON whose content is a prefix of the whole. */
    @ParameterizedTest
    @CsvSource({
        "anthropic-text.sse,anthropic",
        "anthropic-tools.sse,anthropic",
        "anthropic-error.sse,anthropic",
        "responses-text.sse,responses",
        "responses-tools.sse,responses",
        "responses-error.sse,responses"
    })
    void cutAnywhereStillGivesJson(String fixture, String clientApi) throws Exception {
        byte[] whole = fixture(fixture);
        String full = assemble(fixture, clientApi).path("content").asText("");
        for (int cut = 0; cut < whole.length; cut++) {
            JsonNode logged = json(sse.assemble(Arrays.copyOf(whole, cut), true, clientApi));
            assertTrue(logged.get("truncated").asBoolean(), "cut at " + cut);
            String content = logged.path("content").asText("");
            assertTrue(full.startsWith(content), "cut at " + cut + ": " + content);
        }
    }

    /** The other API's events mean nothing to an assembler: nothing is made up from them. */
    @ParameterizedTest
    @ValueSource(strings = {"anthropic", "responses"})
    void foreignEventsAddNothing(String clientApi) throws Exception {
        String other = clientApi.equals("anthropic") ? "responses-text.sse" : "anthropic-text.sse";
        assertEquals(json("{\"content\":null,\"finish_reason\":null}"), assemble(other, clientApi));
    }

    /**
     * The gateway's own translations (helpers A and B's stream fixtures, copied to {@code log/messages}
     * and {@code log/responses}): the client's Anthropic or Responses stream is logged as the chat
     * stream it was made from is, its content, tool calls and finish reason alike.
     */
    @ParameterizedTest
    @CsvSource({
        "messages,anthropic,text_usage",
        "messages,anthropic,tool_fragments",
        "messages,anthropic,two_parallel_tools",
        "messages,anthropic,text_then_tool_crlf",
        "messages,anthropic,ollama_whole_calls",
        "messages,anthropic,length",
        "messages,anthropic,content_filter_no_done",
        "messages,anthropic,reasoning_then_text",
        "messages,anthropic,error_mid_stream",
        "messages,anthropic,truncated",
        "responses,responses,text",
        "responses,responses,tool_fragments",
        "responses,responses,text_then_two_tools",
        "responses,responses,ollama_whole_calls",
        "responses,responses,length",
        "responses,responses,error_mid_stream",
        "responses,responses,truncated"
    })
    void aTranslatedStreamIsLoggedAsItsChatSource(String dir, String clientApi, String name) throws Exception {
        JsonNode chat = assemble(dir + "/" + name + ".openai.sse", null);
        JsonNode client = assemble(dir + "/" + name + "." + clientApi + ".sse", clientApi);
        String content = client.path("content").asText(""); // "" and null: no text either way
        assertEquals(toolCalls(chat), toolCalls(client), "tool calls");
        if (chat.hasNonNull("error") || client.hasNonNull("error")) {
            // A cut or failed stream: the client's API says so with an error event, never a finish reason;
            // what the chat stream held after its error never reached the client.
            assertTrue(chat.path("content").asText("").startsWith(content), content);
            assertTrue(client.hasNonNull("error"), client.toString());
            assertTrue(client.get("finish_reason").isNull(), client.toString());
        } else {
            assertEquals(chat.path("content").asText(""), content, "content");
            JsonNode expected = chat.get("finish_reason");
            if (!toolCalls(chat).isEmpty() && "stop".equals(expected.asText())) {
                expected = MAPPER.getNodeFactory().textNode("tool_calls"); // Ollama's stop after calls
            }
            assertEquals(expected, client.get("finish_reason"), "finish reason");
        }
    }

    /**
     * Each call's name and arguments, in order (ids are the translators' to make); no arguments at all
     * is {@code {}}, which is what an Anthropic client is given for them.
     */
    private static java.util.List<String> toolCalls(JsonNode message) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode call : message.path("tool_calls")) {
            String arguments = call.at("/function/arguments").asText();
            out.add(call.at("/function/name").asText() + " " + (arguments.isEmpty() ? "{}" : arguments));
        }
        return out;
    }
}
