package io.aigw.server.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.AzureSettings;
import io.aigw.core.config.ConfigException;
import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.exchange.ApiEndpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URL shapes and credentials of the azure dialect, and the shipped example config. */
class AzureDialectTest {
    private static final Path EXAMPLE = Path.of("../conf/examples/azure.yaml");

    private static ProviderConfig provider(Map<String, String> env) throws ConfigException {
        return new ConfigLoader(Dialects.TYPES, env).load(EXAMPLE).providers().get("azure");
    }

    @Test
    void deploymentsStyleNamesTheDeploymentAndTheVersion() throws Exception {
        Dialect d = Dialects.of(provider(
                Map.of("AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com", "AZURE_OPENAI_API_KEY", "k1")));
        assertEquals(
                "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                d.path(ApiEndpoint.CHAT_COMPLETIONS, "gpt-4o"));
        assertEquals(
                "/openai/deployments/davinci/completions?api-version=2024-10-21",
                d.path(ApiEndpoint.COMPLETIONS, "davinci"));
        assertEquals(
                "/openai/deployments/my%20embed%2Fx/embeddings?api-version=2024-10-21",
                d.path(ApiEndpoint.EMBEDDINGS, "my embed/x"), "a stray space or slash cannot change the path");
    }

    @Test
    void v1StyleUsesTheOpenAiPaths() throws Exception {
        ProviderConfig p = provider(Map.of(
                "AZURE_OPENAI_ENDPOINT",
                "https://myres.openai.azure.com",
                "AZURE_OPENAI_API_KEY",
                "k1",
                "AZURE_OPENAI_API_STYLE",
                "v1"));
        assertEquals(AzureSettings.Style.V1, p.azure().style());
        Dialect d = Dialects.of(p);
        assertEquals("/openai/v1/chat/completions", d.path(ApiEndpoint.CHAT_COMPLETIONS, "gpt-4o"));
        assertEquals("/openai/v1/embeddings", d.path(ApiEndpoint.EMBEDDINGS, "emb"));
    }

    @Test
    void apiKeyOrBearerToken() throws Exception {
        ProviderConfig keyed =
                provider(Map.of("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com", "AZURE_OPENAI_API_KEY", "k1"));
        Dialect keyedDialect = Dialects.of(keyed);
        assertEquals(List.of(), keyedDialect.fixedHeaders(keyed), "keys go per request, from the provider's pool");
        assertEquals(List.of("k1"), keyed.apiKeys());
        assertEquals("api-key", keyedDialect.keyHeader().toString());
        assertEquals("k1", keyedDialect.keyValue("k1").toString());
        List<String> h;

        ProviderConfig entra =
                provider(Map.of("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com", "AZURE_OPENAI_AD_TOKEN", "t1"));
        h = Dialects.of(entra).fixedHeaders(entra).stream()
                .map(CharSequence::toString)
                .toList();
        assertEquals(List.of("authorization", "Bearer t1"), h);
    }

    @Test
    void theExampleLoadsWithItsDocumentedVariables() throws Exception {
        ProxyConfig c = new ConfigLoader(
                        Dialects.TYPES,
                        Map.of(
                                "AZURE_OPENAI_ENDPOINT",
                                "https://myres.openai.azure.com",
                                "AZURE_OPENAI_API_KEY",
                                "k1",
                                "AZURE_OPENAI_CHAT_DEPLOYMENT",
                                "prod-4o"))
                .load(EXAMPLE);
        assertEquals("prod-4o", c.models().get("gpt-4o").deployments().get(0).modelId());
        assertEquals(
                new AzureSettings("2024-10-21", AzureSettings.Style.DEPLOYMENTS, ""),
                c.providers().get("azure").azure());
        String missing = org.junit.jupiter.api.Assertions.assertThrows(
                        ConfigException.class,
                        () -> new ConfigLoader(Dialects.TYPES, Map.of("AZURE_OPENAI_ENDPOINT", "https://x"))
                                .load(EXAMPLE))
                .getMessage();
        assertTrue(missing.contains("providers.azure.api_key: missing"), missing);
    }
}
