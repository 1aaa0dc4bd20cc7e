package io.aigw.adapters.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class OpenAiResponseTapTest {

    private static ResponseSummary read(String body) {
        ResponseSummary first = null;
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf b = Bufs.of(kind, body);
            try {
                int ri = b.readerIndex();
                ResponseSummary s = OpenAiResponseTap.read(b);
                assertEquals(ri, b.readerIndex());
                assertEquals(1, b.refCnt());
                if (first != null) {
                    assertEquals(first, s, kind.name());
                }
                first = s;
            } finally {
                b.release();
            }
        }
        return first;
    }

    @Test
    void chatCompletion() {
        ResponseSummary s = read(
                "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":["
                        + "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\",\"finish_reason\":\"nested\"},\"finish_reason\":\"length\"},"
                        + "{\"index\":1,\"message\":{},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":8,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}");
        assertTrue(s.parsed());
        assertFalse(s.error());
        assertEquals(new Usage(10, 2, 12, 8), s.usage());
        assertEquals("length", s.finishReason());
    }

    @Test
    void textCompletionAndEmbeddings() {
        assertEquals(
                "stop",
                read("{\"object\":\"text_completion\",\"choices\":[{\"text\":\"a\",\"finish_reason\":\"stop\"}]}")
                        .finishReason());
        ResponseSummary e =
                read("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-2e-3]}],"
                        + "\"model\":\"m\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");
        assertTrue(e.parsed());
        assertEquals(new Usage(8, -1, 8, -1), e.usage());
        assertNull(e.finishReason());
    }

    @Test
    void errorBody() {
        ResponseSummary s = read(
                "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        assertTrue(s.parsed());
        assertTrue(s.error());
        assertEquals(Usage.NONE, s.usage());
    }

    @Test
    void neverThrowsOnGarbage() {
        for (String body :
                new String[] {"", "<html>502</html>", "{\"usage\":{\"total_tokens\":3}", "[1,2]x", "\u0000\u0000\u0000{"
                }) {
            assertFalse(read(body).parsed(), body);
        }
        ResponseSummary truncated =
                read("{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2},\"choices\":[");
        assertFalse(truncated.parsed());
        assertEquals(new Usage(1, 1, 2, -1), truncated.usage());
        assertTrue(read("[1,2]").parsed());
    }
}
