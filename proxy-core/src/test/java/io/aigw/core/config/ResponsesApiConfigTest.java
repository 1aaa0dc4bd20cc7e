package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code responses: native|chat}: its default per provider, and where it is refused. */
class ResponsesApiConfigTest {
    private static final Set<String> TYPES = Set.of("openai", "azure", "anthropic", "ollama");

    private static ProviderConfig provider(String body) throws ConfigException {
        return new ConfigLoader(TYPES, Map.of())
                .parse("providers:\n  p:\n" + body, "t.yaml")
                .providers()
                .get("p");
    }

    private static String error(String body) {
        return assertThrows(ConfigException.class, () -> provider(body)).getMessage();
    }

    @Test
    void nativeByDefaultOnlyForOpenAiItself() throws Exception {
        assertEquals(
                ResponsesApi.NATIVE,
                provider("    type: openai\n    base_url: https://api.openai.com/v1\n")
                        .responsesApi());
        assertEquals(
                ResponsesApi.CHAT,
                provider("    type: openai\n    base_url: https://openrouter.ai/api/v1\n")
                        .responsesApi());
        assertEquals(ResponsesApi.CHAT, provider("    type: anthropic\n").responsesApi());
        assertEquals(ResponsesApi.CHAT, provider("    type: ollama\n").responsesApi());
    }

    @Test
    void setExplicitly() throws Exception {
        assertEquals(
                ResponsesApi.NATIVE,
                provider("    type: openai\n    base_url: http://127.0.0.1:9/v1\n    responses: native\n")
                        .responsesApi());
        assertEquals(
                ResponsesApi.CHAT,
                provider("    type: openai\n    base_url: https://api.openai.com/v1\n    responses: chat\n")
                        .responsesApi());
        assertEquals(
                ResponsesApi.NATIVE,
                provider("    type: azure\n    base_url: https://r.openai.azure.com\n    api_key: k\n"
                                + "    api_style: v1\n    responses: native\n")
                        .responsesApi());
    }

    @Test
    void refusedWhereItCannotWork() {
        assertEquals(
                "providers.p.responses: expected native or chat, got \"stored\"",
                error("    type: openai\n    base_url: http://127.0.0.1:9/v1\n    responses: stored\n"));
        assertEquals(
                "providers.p.responses: only openai and azure providers have a native Responses API; anthropic"
                        + " providers always serve /v1/responses through chat completions",
                error("    type: anthropic\n    responses: native\n"));
        assertEquals(
                "providers.p.responses: an azure provider serves /v1/responses natively only with api_style: v1",
                error("    type: azure\n    base_url: https://r.openai.azure.com\n    api_key: k\n"
                        + "    responses: native\n"));
    }
}
