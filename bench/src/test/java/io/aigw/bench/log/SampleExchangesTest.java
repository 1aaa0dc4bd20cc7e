package io.aigw.bench.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.core.log.LogRow;
import io.aigw.core.log.Redactor;
import io.aigw.core.log.RowRenderer;
import org.junit.jupiter.api.Test;

/** The writer benchmark's records render as the proxy's would: whole JSON bodies, usage, an assembled stream. */
class SampleExchangesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final SampleExchanges samples = new SampleExchanges();
    private final RowRenderer renderer = new RowRenderer(Redactor.builtins());

    @Test
    void bodiesAreAboutOneKilobyteAndTheStreamHasThirtyChunks() {
        assertTrue(samples.requestBytes() > 800 && samples.requestBytes() < 1300, "request " + samples.requestBytes());
        assertTrue(
                samples.responseBytes() > 800 && samples.responseBytes() < 1300, "response " + samples.responseBytes());
        String sse = new String(samples.record(1, true).responseBody, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(SampleExchanges.STREAM_CHUNKS + 2, sse.split("\n\n").length, "content chunks, finish, [DONE]");
    }

    @Test
    void plainRecordRendersWithBodiesAndUsage() throws Exception {
        LogRow row = renderer.render(samples.record(7, false));
        assertFalse(row.stream());
        assertEquals(SampleExchanges.PROMPT_TOKENS, row.promptTokens());
        assertEquals(SampleExchanges.PROMPT_TOKENS + SampleExchanges.COMPLETION_TOKENS, row.totalTokens());
        assertEquals(
                "gpt-4o-mini", json.readTree(row.requestBody()).get("model").asText());
        assertEquals(
                "chat.completion",
                json.readTree(row.responseBody()).get("object").asText());
        assertEquals(
                "OpenAI/Python 1.54.3",
                json.readTree(row.requestHeaders()).get("user-agent").asText());
    }

    @Test
    void streamedRecordAssemblesTheWholeAnswer() throws Exception {
        LogRow row = renderer.render(samples.record(8, true));
        assertTrue(row.stream());
        JsonNode message = json.readTree(row.responseBody());
        assertEquals("stop", message.get("finish_reason").asText());
        String plain = json.readTree(renderer.render(samples.record(9, false)).responseBody())
                .at("/choices/0/message/content")
                .asText();
        assertEquals(plain, message.get("content").asText());
    }
}
