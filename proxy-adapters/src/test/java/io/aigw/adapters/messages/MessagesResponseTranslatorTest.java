package io.aigw.adapters.messages;

import static io.aigw.adapters.messages.Fixtures.ALLOC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessagesResponseTranslatorTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "text_cached, stop",
        "tool_calls, tool_calls",
        "tools_only_stop, stop",
        "length, length",
        "content_filter, content_filter",
        "reasoning, stop"
    })
    void golden(String name, String finish) {
        String input = Fixtures.resource("response/" + name + ".openai.json");
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, input);
            MessagesResponseTranslator.Translated t = MessagesResponseTranslator.translate(in, ALLOC);
            try {
                String actual = Bufs.utf8(t.body());
                Fixtures.assertJson(Fixtures.resource("response/" + name + ".anthropic.json"), actual);
                assertEquals(finish, t.finishReason());
                assertEquals(1, in.refCnt());
                // What the log reads back from the client's answer is what the provider reported.
                CompletionFacts facts = MessagesFacts.of(t.body());
                assertEquals(t.usage().promptTokens(), facts.usage().promptTokens());
                assertEquals(t.usage().completionTokens(), facts.usage().completionTokens());
                assertEquals(
                        Math.max(0, t.usage().cachedTokens()), facts.usage().cachedTokens());
            } finally {
                t.body().release();
                in.release();
            }
        }
    }

    @Test
    void cachedUsageKeepsThePromptWhole() {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, Fixtures.resource("response/text_cached.openai.json"));
        MessagesResponseTranslator.Translated t = MessagesResponseTranslator.translate(in, ALLOC);
        try {
            assertEquals(new Usage(2057, 12, 2069, 2048), t.usage());
            assertEquals(new CompletionFacts(new Usage(2057, 12, 2069, 2048), "stop"), MessagesFacts.of(t.body()));
        } finally {
            t.body().release();
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{\"id\":\"x\"}", "{\"choices\":[{\"message\":{}}]} trailing", "<html>"})
    void unreadableAnswerIs502(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, body);
        try {
            ApiException e = assertThrows(ApiException.class, () -> MessagesResponseTranslator.translate(in, ALLOC));
            assertEquals(502, e.error().status());
        } finally {
            in.release();
        }
    }
}
