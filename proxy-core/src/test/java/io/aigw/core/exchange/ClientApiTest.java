package io.aigw.core.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClientApiTest {

    @Test
    void thePathNamesTheClientsApi() {
        assertEquals(ClientApi.ANTHROPIC, ClientApi.ofPath("/v1/messages"));
        assertEquals(ClientApi.ANTHROPIC, ClientApi.ofPath("/v1/messages/count_tokens"));
        assertEquals(ClientApi.ANTHROPIC, ClientApi.ofPath("/v1/messages?beta=true"));
        assertEquals(ClientApi.RESPONSES, ClientApi.ofPath("/v1/responses"));
        assertEquals(ClientApi.RESPONSES, ClientApi.ofPath("/v1/responses/resp_123"));
        assertEquals(ClientApi.OPENAI, ClientApi.ofPath("/v1/chat/completions"));
        assertEquals(ClientApi.OPENAI, ClientApi.ofPath("/v1/messagesx"));
        assertEquals(ClientApi.OPENAI, ClientApi.ofPath("/v1/responsesfoo"));
        assertEquals(ClientApi.OPENAI, ClientApi.ofPath("/messages"));
        assertEquals(ClientApi.OPENAI, ClientApi.ofPath(null));
    }

    @Test
    void eachEndpointKnowsItsApi() {
        assertEquals(ClientApi.OPENAI, ApiEndpoint.CHAT_COMPLETIONS.clientApi());
        assertEquals(ClientApi.ANTHROPIC, ApiEndpoint.MESSAGES.clientApi());
        assertEquals(ClientApi.ANTHROPIC, ApiEndpoint.COUNT_TOKENS.clientApi());
        assertEquals(ClientApi.RESPONSES, ApiEndpoint.RESPONSES.clientApi());
        assertEquals("anthropic", ClientApi.ANTHROPIC.wireName());
    }
}
