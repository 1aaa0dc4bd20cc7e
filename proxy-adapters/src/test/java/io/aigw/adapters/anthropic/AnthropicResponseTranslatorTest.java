package io.aigw.adapters.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicResponseTranslatorTest {
    private static final long CREATED = 1_700_000_000L;

    static String resource(String path) {
        try (InputStream in = AnthropicResponseTranslatorTest.class.getResourceAsStream("/anthropic/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("missing fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> cases() {
        String[] names = {
            "text",
            "text_and_two_tools",
            "tool_only",
            "max_tokens",
            "refusal",
            "cache_usage",
            "json_schema",
            "pause_turn"
        };
        List<Arguments> args = new ArrayList<>();
        for (String n : names) {
            for (Bufs.Kind k : Bufs.Kind.values()) {
                args.add(Arguments.of(n, k));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void golden(String name, Bufs.Kind kind) {
        String input = resource("response/" + name + ".anthropic.json");
        Object expected = JsonTree.parse(resource("response/" + name + ".openai.json"));
        ByteBuf in = Bufs.of(kind, input);
        AnthropicResponseTranslator.Translated t;
        try {
            t = AnthropicResponseTranslator.translate(
                    in, CREATED, name.startsWith("json_schema"), PooledByteBufAllocator.DEFAULT);
            assertEquals(1, in.refCnt(), "input is not owned");
        } finally {
            in.release();
        }
        try {
            assertEquals(expected, JsonTree.parse(Bufs.utf8(t.body())));
            @SuppressWarnings("unchecked")
            Map<String, Object> choice =
                    (Map<String, Object>) ((List<Object>) ((Map<String, Object>) expected).get("choices")).get(0);
            assertEquals(choice.get("finish_reason"), t.finishReason());
            @SuppressWarnings("unchecked")
            Map<String, Object> u = (Map<String, Object>) ((Map<String, Object>) expected).get("usage");
            @SuppressWarnings("unchecked")
            Map<String, Object> d = (Map<String, Object>) u.get("prompt_tokens_details");
            assertEquals(
                    new Usage(
                            (Long) u.get("prompt_tokens"),
                            (Long) u.get("completion_tokens"),
                            (Long) u.get("total_tokens"),
                            (Long) d.get("cached_tokens")),
                    t.usage());
        } finally {
            t.body().release();
        }
    }

    @Test
    void cacheUsageNumbers() {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, resource("response/cache_usage.anthropic.json"));
        try {
            AnthropicResponseTranslator.Translated t =
                    AnthropicResponseTranslator.translate(in, CREATED, false, PooledByteBufAllocator.DEFAULT);
            t.body().release();
            assertEquals(new Usage(21 + 188 + 2048, 393, 21 + 188 + 2048 + 393, 2048), t.usage());
            assertEquals("stop", t.finishReason());
        } finally {
            in.release();
        }
    }

    @Test
    void withoutTheFlagTheSchemaToolIsAnOrdinaryToolCall() {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, resource("response/json_schema.anthropic.json"));
        try {
            AnthropicResponseTranslator.Translated t =
                    AnthropicResponseTranslator.translate(in, CREATED, false, PooledByteBufAllocator.DEFAULT);
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> msg = (Map<String, Object>) ((Map<String, Object>) ((List<Object>)
                                        ((Map<String, Object>) JsonTree.parse(Bufs.utf8(t.body()))).get("choices"))
                                .get(0))
                        .get("message");
                assertNull(msg.get("content"));
                assertEquals(1, ((List<?>) msg.get("tool_calls")).size());
                assertEquals("tool_calls", t.finishReason());
            } finally {
                t.body().release();
            }
        } finally {
            in.release();
        }
    }

    @Test
    void unknownStopReasonAndMissingUsageMapToStopAndZeros() {
        ByteBuf in = Bufs.of(
                Bufs.Kind.POOLED_HEAP,
                "{\"type\":\"message\",\"id\":\"m\",\"model\":\"c\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}],"
                        + "\"stop_reason\":\"model_context_window_exceeded\"}");
        try {
            AnthropicResponseTranslator.Translated t =
                    AnthropicResponseTranslator.translate(in, CREATED, false, PooledByteBufAllocator.DEFAULT);
            t.body().release();
            assertEquals("stop", t.finishReason());
            assertEquals(new Usage(0, 0, 0, 0), t.usage());
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "<html>bad gateway</html>",
                "[1,2]",
                "{\"content\":[{\"type\":\"text\"",
                "{\"a\":1} x",
                "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"m\"}}",
                "{\"content\":[\"s\"]}"
            })
    void unreadableUpstreamBodyIs502(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.COMPOSITE, body);
        try {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> AnthropicResponseTranslator.translate(in, CREATED, false, PooledByteBufAllocator.DEFAULT));
            assertEquals(502, e.error().status());
            assertEquals("upstream_invalid_response", e.error().code());
        } finally {
            in.release();
        }
    }
}
