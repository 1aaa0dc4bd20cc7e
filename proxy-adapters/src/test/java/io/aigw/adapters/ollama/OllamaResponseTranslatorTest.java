package io.aigw.adapters.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Golden fixtures: {@code ollama/response/<case>.ollama.json} → {@code <case>.openai.json}. */
class OllamaResponseTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CREATED = 1_700_000_000L;

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (String n : new String[] {"text", "tool_calls", "length", "no_counts"}) {
            for (Bufs.Kind k : Bufs.Kind.values()) {
                args.add(Arguments.of(n, k));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void golden(String name, Bufs.Kind kind) throws Exception {
        ByteBuf in = Bufs.of(kind, Fixtures.resource("response/" + name + ".ollama.json"));
        try {
            OllamaResponseTranslator.Translated t = OllamaResponseTranslator.translate(
                    in, "chatcmpl-test", CREATED, Fixtures.ids(), PooledByteBufAllocator.DEFAULT);
            try {
                assertEquals(
                        JSON.readTree(Fixtures.resource("response/" + name + ".openai.json")),
                        JSON.readTree(Bufs.utf8(t.body())),
                        name);
            } finally {
                t.body().release();
            }
            assertEquals(1, in.refCnt(), "input not released");
        } finally {
            in.release();
        }
    }

    @Test
    void usageAndFinishReasonForAccounting() {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, Fixtures.resource("response/tool_calls.ollama.json"));
        try {
            OllamaResponseTranslator.Translated t =
                    OllamaResponseTranslator.translate(in, "c", CREATED, PooledByteBufAllocator.DEFAULT);
            t.body().release();
            assertEquals(new Usage(120, 30, 150, 0), t.usage());
            assertEquals("tool_calls", t.finishReason());
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{\"message\":", "<html>oops</html>", "{\"error\":\"boom\"}", "{} {}"})
    void unreadableAnswersAre502(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, body);
        try {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> OllamaResponseTranslator.translate(in, "c", CREATED, PooledByteBufAllocator.DEFAULT));
            assertEquals(502, e.error().status());
            assertEquals("upstream_invalid_response", e.error().code());
        } finally {
            in.release();
        }
    }
}
