package io.aigw.server.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.ClientApi;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvertersTest {
    private static ProviderConfig provider(String type) {
        return new ProviderConfig("p1", type, URI.create("http://127.0.0.1:1/v1"), "", Map.of(), null, null, null);
    }

    private static CallInput input(ApiEndpoint endpoint, String type) {
        return new CallInput(endpoint, null, null, null, null, provider(type), null, null);
    }

    @Test
    void aPairIsPreparedByItsConverter() {
        DialectCall made = new DialectCall() {
            @Override
            public io.netty.buffer.ByteBuf body() {
                return null;
            }

            @Override
            public boolean stream() {
                return false;
            }

            @Override
            public io.aigw.adapters.StreamTranslator newStreamTranslator() {
                return null;
            }

            @Override
            public Answer translate(
                    int status, String contentType, io.netty.buffer.ByteBuf body, io.netty.buffer.ByteBufAllocator a) {
                return null;
            }
        };
        Converters c = new Converters().register(ClientApi.ANTHROPIC, "openai", in -> made);
        assertSame(made, c.prepare(input(ApiEndpoint.MESSAGES, "openai")));
        assertTrue(c.serves(ClientApi.ANTHROPIC, "openai"));
    }

    @Test
    void aPairNotServedIsTheClientsBadRequestNamingTheProvider() {
        Converters c = new Converters().registerAll(ClientApi.RESPONSES, List.of("openai"), in -> null);
        ApiException e = assertThrows(ApiException.class, () -> c.prepare(input(ApiEndpoint.RESPONSES, "ollama")));
        assertEquals(400, e.error().status());
        assertEquals("unsupported_endpoint", e.error().code());
        assertTrue(e.error().message().contains("'p1' (ollama)"), e.error().message());
        assertTrue(e.error().message().contains("/v1/responses"), e.error().message());
    }

    @Test
    void aPairRegisteredTwiceOrOpenAisOwnIsABug() {
        Converters c = new Converters().register(ClientApi.ANTHROPIC, "openai", in -> null);
        assertThrows(IllegalStateException.class, () -> c.register(ClientApi.ANTHROPIC, "openai", in -> null));
        assertThrows(IllegalArgumentException.class, () -> c.register(ClientApi.OPENAI, "anthropic", in -> null));
    }
}
