package io.aigw.adapters.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden fixtures: {@code gemini/request/<case>.openai.json} must translate to
 * {@code <case>.gemini.json}, compared as JSON trees plus the exact top-level key order.
 */
class GeminiRequestTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> cases() {
        return Stream.of("text", "system", "images", "tools", "round_trip", "generation", "empty_tools");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesFixture(String name) throws Exception {
        String input = Fixtures.resource("request/" + name + ".openai.json");
        JsonNode expected = JSON.readTree(Fixtures.resource("request/" + name + ".gemini.json"));
        String first = null;
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, input);
            GeminiRequestTranslator.Result r = null;
            try {
                int ri = in.readerIndex();
                r = GeminiRequestTranslator.translate(in, PooledByteBufAllocator.DEFAULT);
                assertEquals(ri, in.readerIndex(), "input untouched");
                assertEquals(1, in.refCnt(), "input not released");
                String text = Bufs.utf8(r.body());
                JsonNode actual = JSON.readTree(text);
                assertEquals(expected, actual, name + " (" + kind + "): " + text);
                assertEquals(fieldNames(expected), fieldNames(actual), "top-level key order");
                assertEquals(name.equals("round_trip"), r.stream(), "stream");
                assertEquals(name.equals("round_trip"), r.includeUsage(), "includeUsage");
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
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** body, param, a word the message must hold. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"messages\":[]}|messages|non-empty",
                "{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"x\"}]}|messages|tool_call_id",
                "{\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}|messages|role",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}|messages|input_audio",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://x/y.png\"}}]}]}|messages|gs://",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":2}|n|n > 1",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"sometimes\"}|tool_choice|required",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"code_interpreter\"}]}|tools|function",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[1]}|stop|strings",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"reasoning_effort\":\"max\"}|reasoning_effort|minimal",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"yaml\"}}|response_format|json_schema",
                "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]}|messages|JSON object",
            })
    void refusesWhatGeminiCannotTake(String body, String param, String word) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, body);
        try {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> GeminiRequestTranslator.translate(in, PooledByteBufAllocator.DEFAULT)
                            .body()
                            .release());
            ApiError err = e.error();
            assertEquals(400, err.status());
            assertEquals(param, err.param());
            assertTrue(err.message().contains(word), err.message());
            assertEquals(1, in.refCnt());
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @CsvSource({"not json", "[1,2]"})
    void aBodyThatIsNotAnObjectIsInvalidJson(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, body);
        try {
            ApiException e = assertThrows(
                    ApiException.class, () -> GeminiRequestTranslator.translate(in, PooledByteBufAllocator.DEFAULT));
            assertEquals("invalid_json", e.error().code());
        } finally {
            in.release();
        }
    }
}
