package io.aigw.adapters.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Golden fixtures: {@code gemini/error/<case>.gemini.json} (with its status) → {@code <case>.openai.json}. */
class GeminiErrorTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ApiError translate(int status, String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, body);
        try {
            ApiError e = GeminiErrorTranslator.translate(status, in);
            assertEquals(1, in.refCnt(), "not released");
            return e;
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @CsvSource({"invalid_argument,400", "permission_denied,403", "resource_exhausted,429", "internal,500"})
    void golden(String name, int status) throws Exception {
        ApiError e = translate(status, Fixtures.resource("error/" + name + ".gemini.json"));
        assertEquals(status, e.status());
        assertEquals(
                JSON.readTree(Fixtures.resource("error/" + name + ".openai.json")),
                JSON.readTree(new String(e.toJsonBytes(), StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "502|<html><body>Bad gateway: secret-token-123</body></html>|502|api_error",
                "404|{\"message\":\"secret-token-123\"}|404|invalid_request_error",
                "200|{}|502|api_error",
            })
    void aBodyThatIsNotGeminisIsNeverEchoed(int status, String body, int clientStatus, String type) {
        ApiError e = translate(status, body);
        assertEquals(clientStatus, e.status());
        assertEquals(type, e.type());
        assertEquals("upstream_error", e.code());
        assertFalse(e.message().contains("secret"), e.message());
    }
}
