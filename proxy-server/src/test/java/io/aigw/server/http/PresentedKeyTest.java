package io.aigw.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Which header carries the client's key: {@code x-api-key} only on Anthropic's paths, Bearer everywhere. */
class PresentedKeyTest {

    private static HttpHeaders headers(String xApiKey, String authorization) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (xApiKey != null) {
            h.set("x-api-key", xApiKey);
        }
        if (authorization != null) {
            h.set("authorization", authorization);
        }
        return h;
    }

    @Test
    void xApiKeyOnMessagesPathsFirst() {
        assertEquals("sk-a", ApiKeyAuthHandler.presentedKey(headers("sk-a", "Bearer sk-b"), "/v1/messages"));
        assertEquals("sk-a", ApiKeyAuthHandler.presentedKey(headers("sk-a", null), "/v1/messages/count_tokens"));
        assertEquals("sk-b", ApiKeyAuthHandler.presentedKey(headers("", "Bearer sk-b"), "/v1/messages"));
        assertEquals("sk-b", ApiKeyAuthHandler.presentedKey(headers(null, "bearer sk-b"), "/v1/messages"));
    }

    @Test
    void xApiKeyIsIgnoredElsewhere() {
        assertNull(ApiKeyAuthHandler.presentedKey(headers("sk-a", null), "/v1/chat/completions"));
        assertNull(ApiKeyAuthHandler.presentedKey(headers("sk-a", null), "/v1/responses"));
        assertNull(ApiKeyAuthHandler.presentedKey(headers("sk-a", null), "/admin/logs"));
        assertEquals("sk-b", ApiKeyAuthHandler.presentedKey(headers("sk-a", "Bearer sk-b"), "/v1/embeddings"));
    }
}
