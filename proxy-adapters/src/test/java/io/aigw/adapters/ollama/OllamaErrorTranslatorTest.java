package io.aigw.adapters.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OllamaErrorTranslatorTest {

    private static ApiError translate(int status, String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, body);
        try {
            ApiError e = OllamaErrorTranslator.translate(status, in);
            assertEquals(1, in.refCnt(), "not released");
            return e;
        } finally {
            in.release();
        }
    }

    /** status, Ollama message, client status, type, code, param. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "404|model 'llama9' not found, try pulling it first|404|invalid_request_error|model_not_found|model",
                "404|not found|404|invalid_request_error|-|-",
                "400|invalid options: num_predict|400|invalid_request_error|-|-",
                "401|unauthorized|401|invalid_request_error|invalid_api_key|-",
                "403|forbidden|403|permission_error|-|-",
                "429|too many requests|429|rate_limit_error|rate_limit_exceeded|-",
                "500|llama runner process has terminated|500|api_error|-|-",
                "502|cloud model unreachable|502|api_error|-|-",
                "200|odd|502|api_error|-|-",
            })
    void mapsByStatusAndKeepsTheMessage(
            int status, String message, int clientStatus, String type, String code, String param) {
        ApiError e = translate(status, "{\"error\":\"" + message + "\"}");
        assertEquals(new ApiError(clientStatus, type, code, param, message), e);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "502|<html>Bad Gateway</html>|502|api_error",
                "404|404 page not found|404|invalid_request_error",
                "400|{\"detail\":\"x\"}|400|invalid_request_error"
            })
    void unreadableBodiesAreNotEchoed(int status, String body, int clientStatus, String type) {
        ApiError e = translate(status, body);
        assertEquals(clientStatus, e.status());
        assertEquals(type, e.type());
        assertEquals("upstream_error", e.code());
        assertFalse(
                e.message().contains("html")
                        || e.message().contains("page")
                        || e.message().contains("detail"),
                e.message());
    }
}
