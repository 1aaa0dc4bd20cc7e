package io.aigw.adapters.messages;

import static io.aigw.adapters.messages.Fixtures.ALLOC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessagesRequestTranslatorTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "system_blocks",
                "system_string",
                "image",
                "tool_round_trip",
                "tool_choice_auto",
                "tool_choice_any_no_parallel",
                "tool_choice_tool",
                "tool_choice_none",
                "stop_sequences_stream",
                "thinking",
                "tool_result_image"
            })
    void golden(String name) {
        String input = Fixtures.resource("request/" + name + ".anthropic.json");
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, input);
            int reader = in.readerIndex();
            MessagesRequestTranslator.Result r = MessagesRequestTranslator.translate(in, "gpt-4o", ALLOC);
            try {
                String actual = Bufs.utf8(r.body());
                Fixtures.assertJson(Fixtures.resource("request/" + name + ".openai.json"), actual);
                assertEquals(input.contains("\"stream\":true"), r.stream());
                assertEquals(reader, in.readerIndex(), "input untouched");
                assertEquals(1, in.refCnt());
            } finally {
                r.body().release();
                in.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
                        + "\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"AA==\"}}]}]}",
                "{\"model\":\"m\",\"max_tokens\":5,\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}],"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"m\",\"max_tokens\":5,\"mcp_servers\":[{\"type\":\"url\",\"url\":\"https://x\",\"name\":\"x\"}],"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"m\",\"max_tokens\":5,\"container\":\"c1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}",
                "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
                "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                        + "{\"type\":\"file\",\"file_id\":\"f1\"}}]}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":{\"type\":\"tool\"},"
                        + "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}]}",
                "not json",
                "[1,2]"
            })
    void refusedWith400BeforeAnyBufferIsTaken(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, body);
        try {
            ApiException e =
                    assertThrows(ApiException.class, () -> MessagesRequestTranslator.translate(in, "gpt-4o", ALLOC));
            assertEquals(400, e.error().status());
            assertFalse(e.error().message().contains("not json"), "never echoes the body");
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "budget {0}")
    @ValueSource(ints = {1024, 4095, 4096, 16383, 16384, 60000})
    void thinkingBudgetPicksTheEffort(int budget) {
        String body = "{\"model\":\"m\",\"max_tokens\":70000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":"
                + budget + "},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, body);
        MessagesRequestTranslator.Result r = MessagesRequestTranslator.translate(in, null, ALLOC);
        try {
            String out = Bufs.utf8(r.body());
            String effort = budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
            assertTrue(out.contains("\"reasoning_effort\":\"" + effort + "\""), out);
            assertTrue(out.startsWith("{\"model\":\"m\""), "the client's model when none is given: " + out);
        } finally {
            r.body().release();
            in.release();
        }
    }
}
