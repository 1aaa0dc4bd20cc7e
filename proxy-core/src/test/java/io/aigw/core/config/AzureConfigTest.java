package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The azure-only provider keys: defaults, auth choice, and that other types still reject them. */
class AzureConfigTest {
    private static final Set<String> TYPES = Set.of("openai", "azure");

    private static ProviderConfig provider(String body, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(TYPES, env)
                .parse("providers:\n  az:\n" + body, "t.yaml")
                .providers()
                .get("az");
    }

    private static ProviderConfig provider(String body) throws ConfigException {
        return provider(body, Map.of());
    }

    private static String error(String body) {
        String m = assertThrows(ConfigException.class, () -> provider(body)).getMessage();
        assertFalse(m.contains("sk-secret") || m.contains("tok-secret"), "no secret in: " + m);
        return m;
    }

    private static final String BASE = "    type: azure\n    base_url: https://myres.openai.azure.com/\n";

    @Test
    void defaultsWithAnApiKey() throws Exception {
        ProviderConfig p = provider(BASE + "    api_key: ${AZ_KEY}\n", Map.of("AZ_KEY", "sk-secret"));
        assertEquals(URI.create("https://myres.openai.azure.com"), p.baseUrl());
        assertEquals("sk-secret", p.apiKey());
        assertEquals(new AzureSettings("2024-10-21", AzureSettings.Style.DEPLOYMENTS, ""), p.azure());
        assertFalse(p.toString().contains("sk-secret"));
    }

    @Test
    void v1StyleWithABearerTokenAndAPreviewVersion() throws Exception {
        ProviderConfig p = provider(
                BASE + "    bearer_token: tok-secret\n    api_style: v1\n" + "    api_version: 2025-04-01-preview\n");
        assertEquals("", p.apiKey());
        assertEquals(new AzureSettings("2025-04-01-preview", AzureSettings.Style.V1, "tok-secret"), p.azure());
        assertFalse(p.toString().contains("tok-secret"), p.toString());
        assertTrue(p.toString().contains("<redacted>"));
    }

    @Test
    void anEmptyCredentialCountsAsUnset() throws Exception {
        ProviderConfig p = provider(
                BASE + "    api_key: ${AZ_KEY:-}\n    bearer_token: ${AZ_TOKEN:-}\n", Map.of("AZ_TOKEN", "tok-secret"));
        assertEquals("tok-secret", p.azure().bearerToken());
    }

    @Test
    void exactlyOneCredential() {
        assertEquals(
                "providers.az.bearer_token: set either api_key or bearer_token, not both",
                error(BASE + "    api_key: sk-secret\n    bearer_token: tok-secret\n"));
        assertEquals("providers.az.api_key: missing (an azure provider needs api_key or bearer_token)", error(BASE));
        assertEquals(
                "providers.az.bearer_token: value contains a line break",
                error(BASE + "    bearer_token: \"tok-secret\\n\"\n"));
    }

    @Test
    void badStyleOrVersion() {
        assertEquals(
                "providers.az.api_style: expected deployments or v1, got \"v2\"",
                error(BASE + "    api_key: sk-secret\n    api_style: v2\n"));
        assertEquals(
                "providers.az.api_version: not a valid api version: \"2024-10-21&x=1\"",
                error(BASE + "    api_key: sk-secret\n    api_version: \"2024-10-21&x=1\"\n"));
        assertEquals(
                "providers.az.api_version: must not be empty",
                error(BASE + "    api_key: sk-secret\n    api_version: \"\"\n"));
    }

    @Test
    void azureKeysAreUnknownForOtherTypes() {
        String openai = "    type: openai\n    base_url: https://api.openai.com/v1\n";
        for (String key : new String[] {"api_version: x", "api_style: v1", "bearer_token: tok-secret"}) {
            String m = error(openai + "    " + key + "\n");
            assertTrue(
                    m.startsWith("providers.az." + key.substring(0, key.indexOf(':'))
                            + ": unknown key (known: type, base_url, api_key, api_keys, key_strategy, headers,"),
                    m);
        }
        assertTrue(
                error(BASE + "    apiversion: x\n")
                        .startsWith(
                                "providers.az.apiversion: unknown key (known: type, base_url, api_version, api_style, bearer_token, api_key,"));
    }

    @Test
    void otherTypesHaveNoAzureSettings() throws Exception {
        assertNull(provider("    type: openai\n    base_url: https://api.openai.com/v1\n")
                .azure());
    }
}
