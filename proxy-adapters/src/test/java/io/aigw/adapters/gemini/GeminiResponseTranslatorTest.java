package io.aigw.adapters.gemini;

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

/** Golden fixtures: {@code gemini/response/<case>.gemini.json} → {@code <case>.openai.json}. */
class GeminiResponseTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CREATED = 1_700_000_000L;

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (String n : new String[] {"text", "parallel_calls", "safety", "prompt_blocked", "max_tokens"}) {
            for (Bufs.Kind k : Bufs.Kind.values()) {
                args.add(Arguments.of(n, k));
            }
        }
        return args.stream();
    }

    private static GeminiResponseTranslator.Translated translate(ByteBuf in) {
        return GeminiResponseTranslator.translate(
                in, "chatcmpl-test", CREATED, "gemini-test", Fixtures.ids(), PooledByteBufAllocator.DEFAULT);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void golden(String name, Bufs.Kind kind) throws Exception {
        ByteBuf in = Bufs.of(kind, Fixtures.resource("response/" + name + ".gemini.json"));
        try {
            GeminiResponseTranslator.Translated t = translate(in);
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
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, Fixtures.resource("response/text.gemini.json"));
        try {
            GeminiResponseTranslator.Translated t = translate(in);
            t.body().release();
            assertEquals(new Usage(12, 34, 46, 8), t.usage(), "thoughts are completion tokens");
            assertEquals("stop", t.finishReason());
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "<html>oops</html>",
                "[1]",
                "{\"candidates\":[{\"content\":{\"parts\":[7]}}]}",
                "{\"error\":{\"code\":500,\"message\":\"x\"}}",
                "{} {}"
            })
    void anUnreadableAnswerIs502(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.COMPOSITE, body);
        try {
            ApiException e = assertThrows(ApiException.class, () -> translate(in));
            assertEquals(502, e.error().status());
            assertEquals("upstream_invalid_response", e.error().code());
            assertEquals(1, in.refCnt());
        } finally {
            in.release();
        }
    }
}
