package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.server.dialect.Dialects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shipped {@code conf/examples/*.yaml} loads with the provider types the server knows. */
class ExampleConfigsTest {
    private static final Path DIR = Path.of("../conf/examples");

    @Test
    void everyExampleLoads() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "examples found");
        for (Path f : files) {
            ProxyConfig config = new ConfigLoader(Dialects.TYPES, Map.of()).load(f);
            assertFalse(config.models().isEmpty(), f.toString());
        }
    }

    @Test
    void theOllamaExampleUsesTheNativeApiOnTheDefaultPort() throws Exception {
        ProxyConfig config = new ConfigLoader(Dialects.TYPES, Map.of()).load(DIR.resolve("ollama.yaml"));
        var local = config.providers().get("local");
        assertTrue(local.type().equals("ollama"));
        assertTrue(local.baseUrl().toString().equals("http://127.0.0.1:11434"), local.baseUrl().toString());
        assertTrue(local.apiKey().isEmpty(), "no key by default");
    }
}
