package io.aigw.server.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URL shapes and credentials of the gemini dialect. */
class GeminiDialectTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private static ProviderConfig provider() throws Exception {
        return new ConfigLoader(Dialects.TYPES, Map.of())
                .parse("providers: {g: {type: gemini, api_key: AIza-test}}", "test.yaml")
                .providers()
                .get("g");
    }

    private static DialectCall prepare(Dialect d, ApiEndpoint endpoint, String modelId, String body) {
        ByteBuf in = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return d.prepare(endpoint, in, null, new Deployment("g", modelId, 0, 1), ALLOC);
        } finally {
            in.release();
        }
    }

    @Test
    void pathsNameTheModelAndTheMethod() throws Exception {
        Dialect d = Dialects.of(provider());
        assertTrue(d instanceof GeminiDialect);
        assertEquals(
                "/v1beta/models/gemini-2.5-flash:generateContent",
                d.path(ApiEndpoint.CHAT_COMPLETIONS, "gemini-2.5-flash"));
        assertEquals(
                "/v1beta/models/gemini-2.5-flash:generateContent",
                d.path(ApiEndpoint.CHAT_COMPLETIONS, "models/gemini-2.5-flash"),
                "a models/ prefix is not doubled");
        assertEquals(
                "/v1beta/models/text-embedding-004:batchEmbedContents",
                d.path(ApiEndpoint.EMBEDDINGS, "text-embedding-004"));
        assertEquals(
                "/v1beta/models/a%20b%2Fc:generateContent",
                d.path(ApiEndpoint.CHAT_COMPLETIONS, "a b/c"), "a stray space or slash cannot change the path");
        for (ApiEndpoint e : ApiEndpoint.values()) {
            assertTrue(d.path(e, "m").startsWith("/v1beta/models/m:"), "every endpoint has a path: " + e);
        }
    }

    @Test
    void aStreamNamesItsOwnPath() throws Exception {
        Dialect d = Dialects.of(provider());
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        DialectCall stream = prepare(
                d,
                ApiEndpoint.CHAT_COMPLETIONS,
                "models/gemini-2.5-flash",
                "{\"model\":\"x\",\"stream\":true," + messages + "}");
        DialectCall whole =
                prepare(d, ApiEndpoint.CHAT_COMPLETIONS, "gemini-2.5-flash", "{\"model\":\"x\"," + messages + "}");
        try {
            assertTrue(stream.stream());
            assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", stream.path());
            assertNull(whole.path(), "the cached :generateContent path");
        } finally {
            stream.body().release();
            whole.body().release();
        }
    }

    @Test
    void theKeyGoesInXGoogApiKeyAsItIs() throws Exception {
        ProviderConfig p = provider();
        Dialect d = Dialects.of(p);
        assertEquals("x-goog-api-key", d.keyHeader().toString());
        assertEquals("AIza-test", d.keyValue("AIza-test").toString());
        assertEquals(List.of(), d.fixedHeaders(p));
    }

    @Test
    void legacyCompletionsAreAClear400() throws Exception {
        Dialect d = Dialects.of(provider());
        ApiException e = assertThrows(
                ApiException.class,
                () -> prepare(d, ApiEndpoint.COMPLETIONS, "gemini-2.5-flash", "{\"model\":\"x\",\"prompt\":\"hi\"}"));
        assertEquals(400, e.error().status());
        assertEquals("unsupported_endpoint", e.error().code());
        assertTrue(
                e.error().message().contains("'g' (gemini) does not serve legacy completions"),
                e.error().message());
    }
}
