package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code type: gemini} needs no base_url: Google's public API is its one well-known address. */
class GeminiProviderConfigTest {
    private static final ConfigLoader LOADER = new ConfigLoader(Set.of("openai", "gemini"), Map.of());

    @Test
    void geminiDefaultsToGooglesApi() throws Exception {
        ProviderConfig p = LOADER.parse("providers: {g: {type: gemini, api_key: k}}", "test.yaml")
                .providers()
                .get("g");
        assertEquals(URI.create("https://generativelanguage.googleapis.com"), p.baseUrl());
        assertEquals("gemini", p.type());
        assertEquals("k", p.apiKey());
    }

    @Test
    void aConfiguredBaseUrlWins() throws Exception {
        assertEquals(
                URI.create("http://127.0.0.1:9000"),
                LOADER.parse("providers: {g: {type: gemini, base_url: \"http://127.0.0.1:9000/\"}}", "test.yaml")
                        .providers()
                        .get("g")
                        .baseUrl());
    }

    @Test
    void theAzureOnlyKeysAreUnknownForGemini() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> LOADER.parse("providers: {g: {type: gemini, api_version: \"2024-10-21\"}}", "test.yaml"));
        assertTrue(e.getMessage().contains("api_version"), e.getMessage());
    }
}
