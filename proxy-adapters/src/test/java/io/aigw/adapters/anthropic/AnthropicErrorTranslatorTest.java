package io.aigw.adapters.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicErrorTranslatorTest {

    private static ApiError translate(int status, String body, Bufs.Kind kind) {
        ByteBuf b = Bufs.of(kind, body);
        try {
            ApiError e = AnthropicErrorTranslator.translate(status, b);
            assertEquals(1, b.refCnt());
            return e;
        } finally {
            b.release();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            nullValues = "null",
            value = {
                "400, invalid_request_error, 400, invalid_request_error, null,                  null",
                "422, invalid_request_error, 422, invalid_request_error, null,                  null",
                "401, authentication_error,  401, authentication_error,  invalid_api_key,       null",
                "402, billing_error,         402, insufficient_quota,    insufficient_quota,    null",
                "403, permission_error,      403, permission_error,      null,                  null",
                "404, not_found_error,       404, invalid_request_error, null,                  null",
                "413, request_too_large,     413, invalid_request_error, null,                  null",
                "429, rate_limit_error,      429, rate_limit_error,      rate_limit_exceeded,   null",
                "500, api_error,             500, api_error,             null,                  null",
                "504, timeout_error,         504, timeout,               null,                  null",
                "529, overloaded_error,      503, overloaded_error,      null,                  null",
                "529, some_new_error,        503, api_error,             null,                  null",
                "418, some_new_error,        418, invalid_request_error, null,                  null",
            })
    void table(int status, String anthropicType, int expStatus, String expType, String expCode, String expParam) {
        String body = "{\"type\":\"error\",\"error\":{\"type\":\"" + anthropicType
                + "\",\"message\":\"Something: \\\"x\\\" é\"},\"request_id\":\"req_011\"}";
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ApiError e = translate(status, body, kind);
            assertEquals(new ApiError(expStatus, expType, expCode, expParam, "Something: \"x\" é"), e, kind.name());
            Map<?, ?> err = (Map<?, ?>)
                    ((Map<?, ?>) JsonTree.parse(new String(e.toJsonBytes(), StandardCharsets.UTF_8))).get("error");
            assertEquals(4, err.size(), "message, type, param, code, nulls explicit");
            assertEquals(expType, err.get("type"));
            assertEquals(expCode, err.get("code"));
        }
    }

    @Test
    void notFoundModelGetsModelNotFound() {
        ApiError e = translate(
                404,
                "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\"," + "\"message\":\"model: claude-nope\"}}",
                Bufs.Kind.POOLED_DIRECT);
        assertEquals(new ApiError(404, "invalid_request_error", "model_not_found", "model", "model: claude-nope"), e);
    }

    @Test
    void openAiShapeWithExplicitNulls() {
        ApiError e = translate(
                529,
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"Overloaded\"},\"request_id\":null}",
                Bufs.Kind.POOLED_HEAP);
        assertEquals(503, e.status());
        assertEquals(
                JsonTree.parse("{\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\","
                        + "\"param\":null,\"code\":null}}"),
                JsonTree.parse(new String(e.toJsonBytes(), StandardCharsets.UTF_8)));
    }

    @Test
    void nonJson502BodyIsNotEchoed() {
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ApiError e = translate(502, "<html><body>502 Bad Gateway secret-ish</body></html>", kind);
            assertEquals(502, e.status());
            assertEquals("api_error", e.type());
            assertEquals("upstream_error", e.code());
            assertEquals(null, e.param());
            assertEquals("The upstream provider returned HTTP 502 with an unreadable error body.", e.message());
        }
        assertEquals(503, translate(529, "", Bufs.Kind.POOLED_HEAP).status());
        ApiError empty = translate(400, "", Bufs.Kind.POOLED_HEAP);
        assertEquals(400, empty.status());
        assertEquals("invalid_request_error", empty.type());
    }

    @Test
    void jsonWithoutAnthropicShapeKeepsStatusWithGenericMessage() {
        ApiError e = translate(503, "{\"message\":\"nope\"}", Bufs.Kind.POOLED_HEAP);
        assertEquals(
                new ApiError(503, "api_error", null, null, "The upstream provider returned an error (HTTP 503)."), e);
        ApiError s = translate(500, "{\"error\":\"plain string\"}", Bufs.Kind.POOLED_HEAP);
        assertEquals(new ApiError(500, "api_error", null, null, "plain string"), s);
    }
}
