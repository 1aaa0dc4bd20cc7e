package io.aigw.adapters.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden fixtures: {@code responses/response/<case>.openai.json} must become {@code <case>.responses.json}. */
class ResponsesResponseTranslatorTest {
    static final String BASE = "test";
    static final long CREATED = 1_700_000_000L;

    /** The echo every fixture Response repeats: instructions, one tool, a temperature. */
    static Echo echo() {
        ByteBuf in = Bufs.of(
                Bufs.Kind.POOLED_HEAP,
                "{\"model\":\"gpt-4o\",\"input\":\"x\",\"instructions\":\"Be brief.\",\"temperature\":0.5,"
                        + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}]}");
        try {
            ResponsesRequestTranslator.Result r = ResponsesRequestTranslator.translate(in, "p", Fixtures.ALLOC);
            r.body().release();
            return r.echo();
        } finally {
            in.release();
        }
    }

    static Stream<String> cases() {
        return Stream.of("text", "text_and_two_tools", "tool_only", "length");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesFixture(String name) {
        String input = Fixtures.resource("response/" + name + ".openai.json");
        String expected = Fixtures.resource("response/" + name + ".responses.json");
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, input);
            ByteBuf out = null;
            try {
                out = ResponsesResponseTranslator.translate(in, echo(), BASE, CREATED, Fixtures.ALLOC);
                assertEquals(1, in.refCnt(), "input not released");
                assertEquals(Fixtures.tree(expected), Fixtures.tree(Bufs.utf8(out)), name + " (" + kind + ")");
            } finally {
                in.release();
                if (out != null) {
                    out.release();
                }
            }
        }
    }

    /** The log reads the translated answer: usage and finish reason in OpenAI's words. */
    @Test
    void factsOfTheTranslatedAnswer() {
        assertEquals(new CompletionFacts(new Usage(12, 3, 15, 4), "stop"), facts("text"));
        assertEquals(new CompletionFacts(new Usage(40, 20, 60, 0), "tool_calls"), facts("text_and_two_tools"));
        assertEquals(new CompletionFacts(new Usage(9, 3, 12, 0), "length"), facts("length"));
    }

    private static CompletionFacts facts(String name) {
        ByteBuf b = Bufs.of(Bufs.Kind.POOLED_DIRECT, Fixtures.resource("response/" + name + ".responses.json"));
        try {
            return ResponsesFacts.of(b);
        } finally {
            b.release();
        }
    }

    @Test
    void notAChatCompletionIs502() {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, "<html>");
        try {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> ResponsesResponseTranslator.translate(in, echo(), BASE, CREATED, Fixtures.ALLOC));
            assertEquals(502, e.error().status());
        } finally {
            in.release();
        }
        ByteBuf junk = Bufs.of(Bufs.Kind.POOLED_HEAP, "not json");
        try {
            assertEquals(CompletionFacts.NONE, ResponsesFacts.of(junk));
        } finally {
            junk.release();
        }
    }
}
