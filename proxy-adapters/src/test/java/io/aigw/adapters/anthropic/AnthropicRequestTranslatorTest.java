package io.aigw.adapters.anthropic;

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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden fixtures: {@code anthropic/request/<case>.openai.json} must translate to
 * {@code <case>.anthropic.json}, compared as JSON trees plus the exact top-level key order.
 */
class AnthropicRequestTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIR = "anthropic/request/";
    private static final String MODEL = "claude-test-1";
    private static final int DEFAULT_MAX = 1024;

    /** Cases whose Result flags are not all false: stream, includeUsage, jsonSchemaTool. */
    private static final Map<String, boolean[]> FLAGS = Map.of(
            "streaming_include_usage", new boolean[] {true, true, false},
            "streaming_without_usage", new boolean[] {true, false, false},
            "response_format_json_schema", new boolean[] {false, false, true});

    static Stream<String> cases() throws IOException, URISyntaxException {
        URL dir = AnthropicRequestTranslatorTest.class.getClassLoader().getResource(DIR);
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".openai.json"))
                    .map(n -> n.substring(0, n.length() - ".openai.json".length()))
                    .sorted()
                    .forEach(names::add);
        }
        assertTrue(names.size() >= 27, "fixtures found: " + names);
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesFixture(String name) throws IOException {
        byte[] input = resource(name + ".openai.json");
        JsonNode expected = JSON.readTree(resource(name + ".anthropic.json"));
        boolean[] flags = FLAGS.getOrDefault(name, new boolean[3]);
        String first = null;
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, input);
            AnthropicRequestTranslator.Result r = null;
            try {
                int ri = in.readerIndex();
                r = AnthropicRequestTranslator.translate(in, MODEL, DEFAULT_MAX, PooledByteBufAllocator.DEFAULT);
                assertEquals(ri, in.readerIndex(), "input untouched");
                assertEquals(1, in.refCnt(), "input not released");
                String text = Bufs.utf8(r.body());
                JsonNode actual = JSON.readTree(text);
                assertEquals(expected, actual, name + " (" + kind + "): " + text);
                assertEquals(fieldNames(expected), fieldNames(actual), "top-level key order");
                assertEquals(flags[0], r.stream(), "stream");
                assertEquals(flags[1], r.includeUsage(), "includeUsage");
                assertEquals(flags[2], r.jsonSchemaTool(), "jsonSchemaTool");
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

    @Test
    void zeroDefaultMeansFallback() {
        String out = translate("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", 0);
        assertTrue(out.contains("\"max_tokens\":4096"), out);
        out = translate("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", 8192);
        assertTrue(out.contains("\"max_tokens\":8192"), out);
    }

    @Test
    void outputIsCompactAndStartsWithModel() {
        String out = translate("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"model\":\"gpt\"}", 10);
        assertEquals(
                "{\"model\":\"claude-test-1\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"text\",\"text\":\"Hi\"}]}],\"max_tokens\":10}",
                out);
    }

    @Test
    void nAboveOneIsRejected() {
        ApiError e = error("{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertBadRequest(e, "n", "unsupported_value");
    }

    @Test
    void invalidToolArgumentsAreRejected() {
        ApiError e = error("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\"}}]}]}");
        assertBadRequest(e, "messages", "invalid_value");
        assertTrue(e.message().contains("messages[1].tool_calls[0].function.arguments"), e.message());
    }

    @Test
    void nonObjectToolArgumentsAreRejected() {
        ApiError e = error("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]}");
        assertBadRequest(e, "messages", "invalid_value");
    }

    @Test
    void malformedBodiesAreRejected() {
        for (String body : new String[] {
            "{\"model\":\"m\",\"messages\":[",
            "",
            "[1,2]",
            "\"x\"",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]} trailing",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"temperature\":NaN}"
        }) {
            ApiError e = error(body);
            assertBadRequest(e, null, "invalid_json");
            assertFalse(e.message().contains("trailing"), "does not echo the body: " + e.message());
        }
    }

    @Test
    void unexpressibleInputsAreRejected() {
        String user = "{\"role\":\"user\",\"content\":\"Hi\"}";
        assertBadRequest(error("{\"model\":\"m\"}"), "messages", "missing_required_parameter");
        assertBadRequest(error("{\"model\":\"m\",\"messages\":[]}"), "messages", "invalid_value");
        assertBadRequest(
                error("{\"messages\":[{\"role\":\"system\",\"content\":\"only\"}]}"), "messages", "invalid_value");
        assertBadRequest(
                error("{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"), "messages", "invalid_value");
        assertBadRequest(
                error("{\"messages\":[{\"role\":\"function\",\"name\":\"f\",\"content\":\"x\"}]}"),
                "messages",
                "unsupported_value");
        assertBadRequest(
                error("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                        + "\"image_url\":{\"url\":\"ftp://x/y.png\"}}]}]}"),
                "messages",
                "invalid_value");
        assertBadRequest(
                error("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                        + "\"image_url\":{\"url\":\"data:image/png,abc\"}}]}]}"),
                "messages",
                "invalid_value");
        assertBadRequest(
                error("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\","
                        + "\"file\":{\"file_id\":\"file-1\"}}]}]}"),
                "messages",
                "unsupported_value");
        assertBadRequest(error("{\"n\":0,\"messages\":[" + user + "]}"), "n", "invalid_value");
        assertBadRequest(error("{\"max_tokens\":0,\"messages\":[" + user + "]}"), "max_tokens", "invalid_value");
        assertBadRequest(error("{\"temperature\":\"hot\",\"messages\":[" + user + "]}"), "temperature", "invalid_type");
        assertBadRequest(error("{\"stop\":[1],\"messages\":[" + user + "]}"), "stop", "invalid_type");
        assertBadRequest(
                error("{\"tool_choice\":\"sometimes\",\"tools\":[],\"messages\":[" + user + "]}"),
                "tool_choice",
                "invalid_value");
        assertBadRequest(
                error("{\"tool_choice\":{\"type\":\"allowed_tools\",\"allowed_tools\":{}}," + "\"messages\":[" + user
                        + "]}"),
                "tool_choice",
                "unsupported_value");
        assertBadRequest(
                error("{\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]," + "\"messages\":[" + user
                        + "]}"),
                "tools",
                "unsupported_value");
        assertBadRequest(
                error("{\"response_format\":{\"type\":\"xml\"},\"messages\":[" + user + "]}"),
                "response_format",
                "invalid_value");
    }

    @Test
    void toolIdsAreSanitisedConsistently() {
        assertEquals("call_abc-1", MessageConverter.toolId("call_abc-1"));
        assertEquals("functions_Bash_0", MessageConverter.toolId("functions.Bash:0"));
        assertEquals("_", MessageConverter.toolId(""));
    }

    @Test
    void droppedTableNamesNoMappedField() {
        for (ScalarFields.Field f : ScalarFields.TABLE) {
            assertFalse(ScalarFields.DROPPED.contains(f.openAi()), f.openAi());
        }
    }

    private static String translate(String body, int defaultMax) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, body);
        try {
            AnthropicRequestTranslator.Result r =
                    AnthropicRequestTranslator.translate(in, MODEL, defaultMax, PooledByteBufAllocator.DEFAULT);
            try {
                return Bufs.utf8(r.body());
            } finally {
                r.body().release();
            }
        } finally {
            in.release();
        }
    }

    private static ApiError error(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.COMPOSITE, body);
        try {
            return assertThrows(
                            ApiException.class,
                            () -> AnthropicRequestTranslator.translate(
                                            in, MODEL, DEFAULT_MAX, PooledByteBufAllocator.DEFAULT)
                                    .body()
                                    .release(),
                            body)
                    .error();
        } finally {
            in.release();
        }
    }

    private static void assertBadRequest(ApiError e, String param, String code) {
        assertEquals(400, e.status(), e.message());
        assertEquals(ApiError.INVALID_REQUEST, e.type());
        assertEquals(param, e.param(), e.message());
        assertEquals(code, e.code(), e.message());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static byte[] resource(String file) {
        try (InputStream in =
                AnthropicRequestTranslatorTest.class.getClassLoader().getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + DIR + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
