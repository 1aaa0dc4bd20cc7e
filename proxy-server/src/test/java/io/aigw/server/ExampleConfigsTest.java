package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.server.dialect.Dialects;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every file in conf/examples loads with the server's provider types, given its required variables (the rest keep their defaults). */
class ExampleConfigsTest {
    /** Required variables, and API keys even where they default to empty (an operator sets those). */
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Z0-9_]+)}|\\$\\{([A-Z0-9_]*_API_KEY):-}");

    @Test
    void everyExampleLoads() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("..", "conf", "examples"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path file : files) {
            ProxyConfig config = new ConfigLoader(Dialects.TYPES, variables(file)).load(file);
            assertFalse(config.models().isEmpty(), file + " serves no model");
            assertTrue(
                    config.auth().apiKeyHashes().size() > 0 || file.toString().contains("local"), file.toString());
        }
    }

    @Test
    void theOllamaExampleUsesTheNativeApiOnTheDefaultPort() throws Exception {
        Path file = Path.of("..", "conf", "examples", "ollama.yaml");
        Map<String, String> env = variables(file);
        env.remove("OLLAMA_API_KEY"); // a local Ollama normally runs without one
        ProxyConfig config = new ConfigLoader(Dialects.TYPES, env).load(file);
        var local = config.providers().get("local");
        assertTrue(local.type().equals("ollama"));
        assertTrue(
                local.baseUrl().toString().equals("http://127.0.0.1:11434"),
                local.baseUrl().toString());
        assertTrue(local.apiKey().isEmpty(), "no key by default");
    }

    private static Map<String, String> variables(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        Matcher m = VAR.matcher(Files.readString(file));
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            boolean address = name.endsWith("_URL") || name.endsWith("_ENDPOINT");
            env.put(name, address ? "https://example.test" : "test-" + name.toLowerCase(Locale.ROOT));
        }
        return env;
    }
}
