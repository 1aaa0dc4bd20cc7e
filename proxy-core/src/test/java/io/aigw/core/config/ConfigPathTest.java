package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigPathTest {
    private static Path resolve(List<String> args, Map<String, String> env) throws ConfigException {
        return ConfigLoader.resolveConfigPath(args, env);
    }

    private static String error(String... args) {
        return assertThrows(ConfigException.class, () -> resolve(List.of(args), Map.of()))
                .getMessage();
    }

    @Test
    void defaultsToConfProxyYaml() throws Exception {
        assertEquals(Path.of("conf/proxy.yaml"), resolve(List.of(), Map.of()));
        assertEquals(Path.of("conf/proxy.yaml"), resolve(List.of(), Map.of("PROXY_CONFIG", "")));
    }

    @Test
    void environmentVariable() throws Exception {
        assertEquals(Path.of("/etc/aigw.yaml"), resolve(List.of(), Map.of("PROXY_CONFIG", "/etc/aigw.yaml")));
    }

    @Test
    void argumentWinsOverEnvironment() throws Exception {
        Map<String, String> env = Map.of("PROXY_CONFIG", "/etc/aigw.yaml");
        assertEquals(Path.of("my.yaml"), resolve(List.of("--config", "my.yaml"), env));
        assertEquals(Path.of("other.yaml"), resolve(List.of("--config=other.yaml"), env));
    }

    @Test
    void badArguments() {
        assertEquals("unknown argument '--port' (usage: --config FILE)", error("--port", "80"));
        assertEquals("unknown argument 'proxy.yaml' (usage: --config FILE)", error("proxy.yaml"));
        assertEquals("--config: missing file name (usage: --config FILE)", error("--config"));
        assertEquals("--config: missing file name (usage: --config FILE)", error("--config="));
        assertEquals("--config: missing file name (usage: --config FILE)", error("--config", "--other"));
        assertEquals("--config: given more than once (usage: --config FILE)", error("--config", "a", "--config=b"));
    }
}
