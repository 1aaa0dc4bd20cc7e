package io.aigw.adapters.openai;

import static io.aigw.core.exchange.ApiEndpoint.CHAT_COMPLETIONS;
import static io.aigw.core.exchange.ApiEndpoint.COMPLETIONS;
import static io.aigw.core.exchange.ApiEndpoint.EMBEDDINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestScanTest {
    private static final String MSGS = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String M = "\"model\":\"m\"," + MSGS;

    /** Scans in every buffer shape; all must agree, and none may move indices or reference counts. */
    static RequestScan scan(byte[] body, ApiEndpoint endpoint) {
        RequestScan first = null;
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf buf = Bufs.of(kind, body);
            try {
                int ri = buf.readerIndex();
                RequestScan s = RequestScan.scan(buf, endpoint);
                assertEquals(ri, buf.readerIndex(), kind.name());
                assertEquals(1, buf.refCnt(), kind.name());
                if (first != null) {
                    assertEquals(first.toString(), s.toString(), kind.name());
                    assertEquals(first.modelStart, s.modelStart, kind.name());
                    assertEquals(first.rootEnd, s.rootEnd, kind.name());
                }
                first = s;
            } finally {
                buf.release();
            }
        }
        return first;
    }

    static RequestScan scan(String body, ApiEndpoint endpoint) {
        return scan(body.getBytes(StandardCharsets.UTF_8), endpoint);
    }

    static ApiError error(byte[] body, ApiEndpoint endpoint) {
        ApiError first = null;
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf buf = Bufs.of(kind, body);
            try {
                ApiException e = assertThrows(ApiException.class, () -> RequestScan.scan(buf, endpoint), kind.name());
                assertEquals(1, buf.refCnt());
                if (first != null) {
                    assertEquals(first, e.error(), kind.name());
                }
                first = e.error();
            } finally {
                buf.release();
            }
        }
        assertEquals(400, first.status());
        assertEquals(ApiError.INVALID_REQUEST, first.type());
        return first;
    }

    static ApiError error(String body, ApiEndpoint endpoint) {
        return error(body.getBytes(StandardCharsets.UTF_8), endpoint);
    }

    @Test
    void readsModelStreamAndIncludeUsage() {
        RequestScan s = scan(
                "{\"model\":\"gpt\\u002d4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true}," + MSGS + "}",
                CHAT_COMPLETIONS);
        assertEquals("gpt-4o", s.model());
        assertTrue(s.stream());
        assertTrue(s.clientIncludeUsage());
    }

    @Test
    void absentOrNullFlagsAreFalse() {
        RequestScan s = scan(
                "{" + MSGS + ",\"model\":\"m\",\"stream\":null,\"stream_options\":{\"include_usage\":null}}",
                CHAT_COMPLETIONS);
        assertFalse(s.stream());
        assertFalse(s.clientIncludeUsage());
        s = scan(
                "{\"model\":\"m\",\"prompt\":\"p\",\"stream\":false,\"stream_options\":{\"include_usage\":false}}",
                COMPLETIONS);
        assertFalse(s.stream());
        assertFalse(s.clientIncludeUsage());
        s = scan("{\"model\":\"m\",\"input\":[1,2],\"stream\":false}", EMBEDDINGS);
        assertEquals("m", s.model());
        assertFalse(s.clientIncludeUsage());
    }

    @Test
    void acceptsUtf8ByteOrderMarkAndMultibyteText() {
        byte[] body =
                ("\uFEFF{\"model\":\"m\",\"messages\":[{\"content\":\"é 中文 😀\"}]}").getBytes(StandardCharsets.UTF_8);
        RequestScan s = scan(body, CHAT_COMPLETIONS);
        assertEquals("m", s.model());
        assertEquals(3 + 9, s.modelStart); // offsets count the BOM, since they index the raw bytes
    }

    @Test
    void acceptsNesting128AndRejects129() {
        scan("{\"model\":\"m\",\"input\":" + "[".repeat(127) + "]".repeat(127) + "}", EMBEDDINGS);
        ApiError e = error("{\"model\":\"m\",\"input\":" + "[".repeat(128) + "]".repeat(128) + "}", EMBEDDINGS);
        assertEquals("invalid_json", e.code());
        assertTrue(e.message().contains("nesting depth"), e.message());
        assertFalse(e.message().contains("StreamReadConstraints"), e.message());
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("   \n", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("{", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("{\"model\":\"m\"," + MSGS, CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("{\"model\":\"m\"," + MSGS + "}x", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("{\"model\":\"m\"," + MSGS + "} {}", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("{\"model\":\"m\"," + MSGS + ",}", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("{'model':'m'}", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("{\"model\":\"m\" /* c */," + MSGS + "}", CHAT_COMPLETIONS, "invalid_json", null),
                Arguments.of("[1,2]", CHAT_COMPLETIONS, "invalid_type", null),
                Arguments.of("\"str\"", CHAT_COMPLETIONS, "invalid_type", null),
                Arguments.of("{" + MSGS + "}", CHAT_COMPLETIONS, "missing_required_parameter", "model"),
                Arguments.of("{\"model\":5," + MSGS + "}", CHAT_COMPLETIONS, "invalid_type", "model"),
                Arguments.of("{\"model\":null," + MSGS + "}", CHAT_COMPLETIONS, "invalid_type", "model"),
                Arguments.of("{\"model\":{\"a\":1}," + MSGS + "}", CHAT_COMPLETIONS, "invalid_type", "model"),
                Arguments.of("{\"model\":\"\"," + MSGS + "}", CHAT_COMPLETIONS, "invalid_value", "model"),
                Arguments.of("{\"model\":\"m\"}", CHAT_COMPLETIONS, "missing_required_parameter", "messages"),
                Arguments.of("{\"model\":\"m\",\"messages\":{}}", CHAT_COMPLETIONS, "invalid_type", "messages"),
                Arguments.of("{\"model\":\"m\",\"messages\":null}", CHAT_COMPLETIONS, "invalid_type", "messages"),
                Arguments.of("{\"model\":\"m\",\"messages\":[ ]}", CHAT_COMPLETIONS, "invalid_value", "messages"),
                Arguments.of("{\"model\":\"m\"," + MSGS + "}", COMPLETIONS, "missing_required_parameter", "prompt"),
                Arguments.of("{\"model\":\"m\",\"prompt\":\"p\"}", EMBEDDINGS, "missing_required_parameter", "input"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS + ",\"stream\":\"yes\"}",
                        CHAT_COMPLETIONS,
                        "invalid_type",
                        "stream"),
                Arguments.of("{\"model\":\"m\"," + MSGS + ",\"stream\":1}", CHAT_COMPLETIONS, "invalid_type", "stream"),
                Arguments.of(
                        "{\"model\":\"m\",\"input\":\"x\",\"stream\":true}", EMBEDDINGS, "invalid_value", "stream"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS + ",\"stream_options\":true}",
                        CHAT_COMPLETIONS,
                        "invalid_type",
                        "stream_options"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS + ",\"stream_options\":[]}",
                        CHAT_COMPLETIONS,
                        "invalid_type",
                        "stream_options"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS + ",\"stream_options\":{\"include_usage\":\"true\"}}",
                        CHAT_COMPLETIONS,
                        "invalid_type",
                        "stream_options.include_usage"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS + ",\"stream_options\":{\"include_usage\":1}}",
                        CHAT_COMPLETIONS,
                        "invalid_type",
                        "stream_options.include_usage"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS + ",\"model\":\"other\"}",
                        CHAT_COMPLETIONS,
                        "invalid_value",
                        "model"),
                Arguments.of(
                        "{\"model\":\"m\",\"stream\":true," + MSGS + ",\"stream\":false}",
                        CHAT_COMPLETIONS,
                        "invalid_value",
                        "stream"),
                Arguments.of(
                        "{\"model\":\"m\",\"stream_options\":null," + MSGS + ",\"stream_options\":{}}",
                        CHAT_COMPLETIONS,
                        "invalid_value",
                        "stream_options"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS + "," + MSGS + "}", CHAT_COMPLETIONS, "invalid_value", "messages"),
                Arguments.of(
                        "{\"model\":\"m\",\"prompt\":\"a\",\"prompt\":\"b\"}", COMPLETIONS, "invalid_value", "prompt"),
                Arguments.of(
                        "{\"model\":\"m\",\"input\":\"a\",\"input\":[\"b\"]}", EMBEDDINGS, "invalid_value", "input"),
                Arguments.of(
                        "{\"model\":\"m\"," + MSGS
                                + ",\"stream_options\":{\"include_usage\":false,\"include_usage\":true}}",
                        CHAT_COMPLETIONS,
                        "invalid_value",
                        "stream_options.include_usage"));
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void rejects(String body, ApiEndpoint endpoint, String code, String param) {
        ApiError e = error(body, endpoint);
        assertEquals(code, e.code(), e.message());
        assertEquals(param, e.param(), e.message());
        if (code.equals("invalid_json")) {
            assertTrue(e.message().startsWith("We could not parse the JSON body of your request: "), e.message());
            assertFalse(e.message().contains("\n"), e.message());
        }
    }

    @Test
    void messagesForCommonErrors() {
        assertEquals(
                "you must provide a model parameter",
                error("{" + MSGS + "}", CHAT_COMPLETIONS).message());
        assertEquals(
                "The request body must be a JSON object.",
                error("[]", CHAT_COMPLETIONS).message());
        assertEquals(
                "duplicate key 'model'",
                error("{\"model\":\"a\",\"model\":\"b\"," + MSGS + "}", CHAT_COMPLETIONS)
                        .message());
    }

    @Test
    void syntaxErrorsWinOverSemanticOnes() {
        assertEquals(
                "invalid_json",
                error("{\"model\":5," + MSGS + ",}", CHAT_COMPLETIONS).code());
    }

    @Test
    void parseErrorsDoNotEchoTheBody() {
        String secret = "SECRET".repeat(400);
        ApiError e = error("{\"model\":\"m\",\"messages\":[{\"content\":\"" + secret, CHAT_COMPLETIONS);
        assertFalse(e.message().contains("SECRET"), e.message());
        e = error("{\"model\":" + secret + "}", CHAT_COMPLETIONS);
        assertEquals("invalid_json", e.code());
        assertTrue(e.message().length() < 220, e.message());
        assertFalse(e.message().contains("SECRET".repeat(6)), e.message()); // at most a short excerpt
        assertFalse(error("{", CHAT_COMPLETIONS).message().contains("REDACTED"));
        assertNull(e.param());
    }

    static Stream<Arguments> badUtf8() {
        return Stream.of(
                Arguments.of("0xFF in a skipped string", new byte[] {(byte) 0xFF}),
                Arguments.of("lone continuation byte", new byte[] {(byte) 0x80}),
                Arguments.of("truncated 2-byte sequence", new byte[] {(byte) 0xC3}),
                Arguments.of("overlong NUL", new byte[] {(byte) 0xC0, (byte) 0x80}),
                Arguments.of("overlong quote", new byte[] {(byte) 0xC0, (byte) 0xA2}),
                Arguments.of("overlong 3-byte", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}),
                Arguments.of("UTF-16 surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                Arguments.of("above U+10FFFF", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                Arguments.of("F5 lead", new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}),
                Arguments.of("bad third byte", new byte[] {(byte) 0xE2, (byte) 0x82, 'x'}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUtf8")
    void rejectsInvalidUtf8InsideSkippedStrings(String name, byte[] bad) {
        byte[] head = ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"abcdefghijkl")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}]}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(bad, 0, body, head.length, bad.length);
        System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
        ApiError e = error(body, CHAT_COMPLETIONS);
        assertEquals("invalid_json", e.code());
        assertTrue(e.message().contains("UTF-8"), e.message());
        assertTrue(e.message().contains("at byte " + head.length), e.message());
    }

    @Test
    void rejectsInvalidUtf8AtTheVeryEndAndOutsideStrings() {
        assertTrue(error(new byte[] {'{', (byte) 0xE2, (byte) 0x82}, CHAT_COMPLETIONS)
                .message()
                .contains("UTF-8"));
        assertTrue(error(new byte[] {'{', (byte) 0xFF, '}'}, CHAT_COMPLETIONS)
                .message()
                .contains("UTF-8"));
    }

    @Test
    void rejectsBodiesJacksonWouldReadAsUtf16Or32() {
        byte[] body = "\u0000\u0000\u0000{}".getBytes(StandardCharsets.UTF_8);
        ApiError e = error(body, CHAT_COMPLETIONS);
        assertEquals("invalid_json", e.code());
        if (!e.message().contains("UTF-8")) {
            fail(e.message());
        }
    }

    @Test
    void maxTokensUnderEachApisName() {
        assertEquals(-1, scan("{" + M + "}", CHAT_COMPLETIONS).maxTokens());
        assertEquals(7, scan("{\"max_tokens\":7," + M + "}", CHAT_COMPLETIONS).maxTokens());
        assertEquals(
                8,
                scan("{\"max_completion_tokens\":8," + M + "}", CHAT_COMPLETIONS)
                        .maxTokens());
        assertEquals(
                9, scan("{\"max_output_tokens\":9," + M + "}", CHAT_COMPLETIONS).maxTokens(), "Responses");
        assertEquals(
                7,
                scan("{\"max_completion_tokens\":8,\"max_tokens\":7," + M + "}", CHAT_COMPLETIONS)
                        .maxTokens(),
                "max_tokens wins wherever it is");
        assertEquals(
                8,
                scan("{\"max_completion_tokens\":8,\"max_output_tokens\":9," + M + "}", CHAT_COMPLETIONS)
                        .maxTokens(),
                "the first of the other two");
        assertEquals(
                7,
                scan("{\"max_tokens\":7,\"max_output_tokens\":{\"model\":[\"x\"]}," + M + "}", CHAT_COMPLETIONS)
                        .maxTokens(),
                "an object where a count belongs is skipped whole, even when it is not needed");
    }
}
