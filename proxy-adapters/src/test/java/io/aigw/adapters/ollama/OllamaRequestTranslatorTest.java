package io.aigw.adapters.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden fixtures: {@code ollama/request/<case>.openai.json} must translate to
 * {@code <case>.ollama.json}, compared as JSON trees plus the exact top-level key order.
 */
class OllamaRequestTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "llama3.2:3b";

    static Stream<String> cases() {
        return Stream.of(
                "simple_text",
                "developer_parts_image",
                "tool_round_trip",
                "tool_choice_none",
                "options_all",
                "max_completion_tokens_wins",
                "response_format_json_object",
                "response_format_json_schema",
                "response_format_text",
                "streaming_include_usage",
                "streaming_without_usage");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesFixture(String name) throws Exception {
        String input = Fixtures.resource("request/" + name + ".openai.json");
        JsonNode expected = JSON.readTree(Fixtures.resource("request/" + name + ".ollama.json"));
        String first = null;
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, input);
            OllamaRequestTranslator.Result r = null;
            try {
                int ri = in.readerIndex();
                r = OllamaRequestTranslator.translate(in, MODEL, PooledByteBufAllocator.DEFAULT);
                assertEquals(ri, in.readerIndex(), "input untouched");
                assertEquals(1, in.refCnt(), "input not released");
                String text = Bufs.utf8(r.body());
                JsonNode actual = JSON.readTree(text);
                assertEquals(expected, actual, name + " (" + kind + "): " + text);
                assertEquals(fieldNames(expected), fieldNames(actual), "top-level key order");
                assertEquals(name.startsWith("streaming"), r.stream(), "stream");
                assertEquals(name.equals("streaming_include_usage"), r.includeUsage(), "includeUsage");
                if (first != null) {
                    assertEquals(first, text, "same bytes for every buffer shape");
                }
                first = text;
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

    private static ApiError error(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, body);
        try {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> OllamaRequestTranslator.translate(in, MODEL, PooledByteBufAllocator.DEFAULT)
                            .body()
                            .release());
            return e.error();
        } finally {
            in.release();
        }
    }

    private static void assertBadRequest(ApiError e, String param, String code) {
        assertEquals(400, e.status());
        assertEquals(ApiError.INVALID_REQUEST, e.type());
        assertEquals(param, e.param());
        assertEquals(code, e.code());
    }

    @Test
    void nAboveOneIsRejected() {
        assertBadRequest(
                error("{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                "n",
                "unsupported_value");
        assertBadRequest(
                error("{\"model\":\"m\",\"n\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                "n",
                "invalid_value");
    }

    @Test
    void imageUrlsThatAreNotDataUrlsAreRejected() {
        ApiError e = error("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}]}");
        assertBadRequest(e, "messages", "invalid_value");
        assertTrue(e.message().contains("messages[0].content[0]"), e.message());
        assertFalse(e.message().contains("example.com"), "the URL is not echoed");
    }

    @Test
    void unsupportedPartsAndRolesAreRejected() {
        assertBadRequest(
                error("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\","
                        + "\"input_audio\":{\"data\":\"x\",\"format\":\"wav\"}}]}]}"),
                "messages",
                "unsupported_value");
        assertBadRequest(
                error("{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"),
                "messages",
                "invalid_value");
        assertBadRequest(error("{\"model\":\"m\",\"messages\":[]}"), "messages", "invalid_value");
    }

    @Test
    void toolArgumentsMustBeAJsonObject() {
        for (String args : new String[] {"{\\\"a\\\":", "[1]", "42"}) {
            ApiError e = error("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\","
                    + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"" + args + "\"}}]}]}");
            assertBadRequest(e, "messages", "invalid_value");
            assertTrue(e.message().contains("messages[0].tool_calls[0].function.arguments"), e.message());
        }
    }

    @Test
    void wrongOptionTypesAreRejected() {
        assertBadRequest(
                error(
                        "{\"model\":\"m\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                "temperature",
                "invalid_type");
        assertBadRequest(
                error("{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                "max_tokens",
                "invalid_type");
        assertBadRequest(
                error("{\"model\":\"m\",\"stop\":[1],\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                "stop",
                "invalid_type");
        assertBadRequest(
                error("{\"model\":\"m\",\"response_format\":{\"type\":\"json_schema\"},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                "response_format",
                "invalid_value");
    }

    @Test
    void malformedBodiesAreRejectedWithoutEcho() {
        for (String body : new String[] {
            "{\"model\":\"m\",\"messages\":[",
            "",
            "[1,2]",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]} trailing"
        }) {
            ApiError e = error(body);
            assertBadRequest(e, null, "invalid_json");
            assertFalse(e.message().contains("trailing"), e.message());
        }
    }

    @Test
    void outputIsCompact() {
        ByteBuf in = Bufs.of(
                Bufs.Kind.POOLED_DIRECT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"model\":\"x\"}");
        OllamaRequestTranslator.Result r = OllamaRequestTranslator.translate(in, MODEL, PooledByteBufAllocator.DEFAULT);
        try {
            assertEquals(
                    "{\"model\":\"llama3.2:3b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":false}",
                    Bufs.utf8(r.body()));
        } finally {
            r.body().release();
            in.release();
        }
    }
}
