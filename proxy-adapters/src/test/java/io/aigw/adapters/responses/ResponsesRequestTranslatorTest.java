package io.aigw.adapters.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden fixtures: {@code responses/request/<case>.responses.json} must translate to
 * {@code <case>.openai.json}, compared as JSON trees plus the exact top-level key order.
 */
class ResponsesRequestTranslatorTest {

    static Stream<String> cases() {
        return Stream.of(
                "string_input",
                "instructions",
                "function_round_trip",
                "function_call_first",
                "text_format_json_schema",
                "text_format_json_object",
                "reasoning_effort",
                "image_input");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesFixture(String name) {
        String input = Fixtures.resource("request/" + name + ".responses.json");
        JsonNode expected = Fixtures.tree(Fixtures.resource("request/" + name + ".openai.json"));
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, input);
            ResponsesRequestTranslator.Result r = null;
            try {
                int ri = in.readerIndex();
                r = ResponsesRequestTranslator.translate(in, "chat-only", Fixtures.ALLOC);
                assertEquals(ri, in.readerIndex(), "input untouched");
                assertEquals(1, in.refCnt(), "input not released");
                String text = Bufs.utf8(r.body());
                JsonNode actual = Fixtures.tree(text);
                assertEquals(expected, actual, name + " (" + kind + "): " + text);
                assertEquals(fieldNames(expected), fieldNames(actual), "top-level key order");
                assertEquals(expected.path("stream").asBoolean(false), r.stream(), "stream");
            } finally {
                in.release();
                if (r != null) {
                    r.body().release();
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void echoKeepsWhatTheResponseRepeats() {
        ResponsesRequestTranslator.Result r = translate(Fixtures.resource("request/instructions.responses.json"));
        r.body().release();
        Echo e = r.echo();
        assertEquals("gpt-4o-mini", e.model());
        assertEquals("You are terse.", e.instructions().textValue());
        assertEquals(0.2, e.temperature().doubleValue());
        assertEquals("v", e.metadata().path("k").asText());
        assertTrue(e.parallelToolCalls(), "parallel_tool_calls defaults to true");
        assertEquals(null, e.tools());

        ResponsesRequestTranslator.Result f =
                translate(Fixtures.resource("request/function_call_first.responses.json"));
        f.body().release();
        assertFalse(f.echo().parallelToolCalls());
        assertEquals("now", f.echo().toolChoice().path("name").asText());
        assertEquals(1, f.echo().tools().size());
    }

    /** Conversation state needs a native provider: a clear 400 naming the provider, the body never built. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"previous_response_id\":\"resp_1\"",
                "\"store\":true",
                "\"conversation\":\"conv_1\"",
                "\"background\":true",
                "\"prompt\":{\"id\":\"pmpt_1\"}"
            })
    void statefulFeaturesAre400(String field) {
        ApiException e =
                assertThrows(ApiException.class, () -> translate("{\"model\":\"m\",\"input\":\"hi\"," + field + "}"));
        ApiError err = e.error();
        assertEquals(400, err.status());
        assertEquals("unsupported_parameter", err.code());
        assertEquals(field.substring(1, field.indexOf('"', 1)), err.param());
        assertTrue(err.message().contains("'chat-only'") && err.message().contains("responses: native"), err.message());
    }

    @Test
    void storeFalseAndBackgroundFalseAreFine() {
        translate("{\"model\":\"m\",\"input\":\"hi\",\"store\":false,\"background\":false}")
                .body()
                .release();
    }

    @Test
    void unservableInputsAre400() {
        assertCode("unsupported_value", "{\"model\":\"m\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}");
        assertCode("unsupported_value", "{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}");
        assertCode(
                "unsupported_value", "{\"model\":\"m\",\"input\":\"hi\",\"tool_choice\":{\"type\":\"file_search\"}}");
        assertCode(
                "unsupported_value",
                "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"f\"}]}]}");
        assertCode("missing_required_parameter", "{\"model\":\"m\"}");
        assertCode("missing_required_parameter", "{\"input\":\"hi\"}");
        assertCode("invalid_type", "{\"model\":\"m\",\"input\":5}");
        assertCode("invalid_type", "{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":\"9\"}");
        assertCode("invalid_json", "{\"model\":");
        assertCode("invalid_json", "[]");
    }

    private static void assertCode(String code, String body) {
        ApiException e = assertThrows(ApiException.class, () -> translate(body), body);
        assertEquals(code, e.error().code(), body);
        assertEquals(400, e.error().status());
    }

    private static ResponsesRequestTranslator.Result translate(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, body);
        try {
            return ResponsesRequestTranslator.translate(in, "chat-only", Fixtures.ALLOC);
        } finally {
            in.release();
        }
    }
}
