package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProxyConfig.Deployment;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shipped {@code conf/proxy.yaml}; tests run with the module directory as working directory. */
class DefaultConfigFileTest {
    private static final Path FILE = Path.of("../conf/proxy.yaml");

    @Test
    void startsWithNoEnvironmentAtAll() throws Exception {
        ProxyConfig config = new ConfigLoader(Set.of("openai"), Map.of()).load(FILE);

        assertEquals("0.0.0.0", config.server().host());
        assertEquals(8080, config.server().port());
        assertEquals(List.of(), config.auth().apiKeyHashes());
        assertEquals(
                List.of("openai", "openrouter"), List.copyOf(config.providers().keySet()));

        ProviderConfig openai = config.providers().get("openai");
        assertEquals("openai", openai.type());
        assertEquals(URI.create("https://api.openai.com/v1"), openai.baseUrl());
        assertEquals("", openai.apiKey());

        ProviderConfig openrouter = config.providers().get("openrouter");
        assertEquals("openai", openrouter.type());
        assertEquals(URI.create("https://openrouter.ai/api/v1"), openrouter.baseUrl());
        assertEquals(Map.of("HTTP-Referer", "https://github.com/aigw", "X-Title", "aigw"), openrouter.headers());

        assertEquals(
                List.of(
                        "gpt-4o-mini",
                        "gpt-4o",
                        "text-embedding-3-small",
                        "gpt-3.5-turbo-instruct",
                        "openrouter/anthropic/claude-3.5-sonnet"),
                List.copyOf(config.models().keySet()));
        for (String model : List.of("gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "gpt-3.5-turbo-instruct")) {
            assertEquals(
                    List.of(new Deployment("openai", model, 0, 1)),
                    config.models().get(model).deployments());
        }
        assertEquals(
                List.of(new Deployment("openrouter", "anthropic/claude-3.5-sonnet", 0, 1)),
                config.models().get("openrouter/anthropic/claude-3.5-sonnet").deployments());
    }

    @Test
    void environmentFillsTheDocumentedVariables() throws Exception {
        ProxyConfig config = new ConfigLoader(
                        Set.of("openai"),
                        Map.of(
                                "PROXY_PORT", "9000",
                                "PROXY_API_KEY", "sk-client-long-enough-key",
                                "OPENAI_API_KEY", "sk-openai",
                                "OPENAI_BASE_URL", "http://localhost:4000/v1/",
                                "OPENROUTER_TITLE", "my app"))
                .load(FILE);
        assertEquals(9000, config.server().port());
        assertEquals(
                List.of(KeyHash.ofKey("sk-client-long-enough-key")),
                config.auth().apiKeyHashes());
        assertEquals("sk-openai", config.providers().get("openai").apiKey());
        assertEquals(
                URI.create("http://localhost:4000/v1"),
                config.providers().get("openai").baseUrl());
        assertEquals("my app", config.providers().get("openrouter").headers().get("X-Title"));
        assertTrue(
                !config.toString().contains("sk-openai") && !config.toString().contains("sk-client-long-enough-key"));
    }
}
