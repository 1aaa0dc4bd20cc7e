package io.aigw.adapters.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompletionFactsTest {
    private static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aChatAnswerGivesUsageAndFinishReason() {
        CompletionFacts f =
                CompletionFacts.ofAnswer(buf("{\"id\":\"x\",\"choices\":[{\"index\":0,\"finish_reason\":\"length\"}],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}"));
        assertEquals(new Usage(3, 4, 7, -1), f.usage());
        assertEquals("length", f.finishReason());
    }

    @Test
    void aHugeEmbeddingsAnswerIsReadFromItsTailOnly() {
        StringBuilder vectors = new StringBuilder(
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[");
        while (vectors.length() < 600_000) {
            vectors.append("0.0123456789,");
        }
        vectors.append("0.5]}],\"model\":\"m\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");
        ByteBuf body = buf(vectors.toString());
        int readerIndex = body.readerIndex();
        CompletionFacts f = CompletionFacts.ofAnswer(body);
        assertEquals(8, f.usage().promptTokens());
        assertEquals(8, f.usage().totalTokens());
        assertNull(f.finishReason());
        assertEquals(readerIndex, body.readerIndex(), "the body is only read");
    }

    @Test
    void aHugeAnswerWithoutUsageInItsTailHasNone() {
        String big = "{\"data\":\"" + "x".repeat(300_000) + "\"}";
        assertEquals(CompletionFacts.NONE, CompletionFacts.ofAnswer(buf(big)));
    }

    @Test
    void errorSummaries() {
        assertEquals(
                "rate_limit_exceeded: slow down",
                CompletionFacts.errorSummary(
                        buf(
                                "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}")));
        assertEquals(
                "only a message",
                CompletionFacts.errorSummary(buf("{\"error\":{\"message\":\"only a message\",\"code\":null}}")));
        assertEquals(
                "only a message",
                CompletionFacts.errorSummary(
                        buf("{\"error\":{\"message\":\"only a message\",\"type\":\"server_error\"}}")),
                "an OpenAI error's type is not its code");
        assertEquals(
                "rate_limit_error: Number of requests has exceeded your rate limit",
                CompletionFacts.errorSummary(
                        buf(
                                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                                        + "\"message\":\"Number of requests has exceeded your rate limit\"},\"request_id\":\"req_011\"}")),
                "Anthropic's error type stands in for the code");
        assertEquals(
                "overloaded_error: Overloaded",
                CompletionFacts.errorSummary(buf(
                        "{\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"},\"type\":\"error\"}")),
                "in either order");
        assertNull(CompletionFacts.errorSummary(buf("<html>bad gateway</html>")));
        assertNull(CompletionFacts.errorSummary(buf("{\"ok\":true}")));
    }
}
