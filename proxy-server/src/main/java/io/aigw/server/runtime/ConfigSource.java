package io.aigw.server.runtime;

import io.aigw.core.config.ConfigException;
import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Where a reload reads the configuration again: the file the server started from, with the
 * environment it started with (for {@code ${VAR}} and the {@code PROXY_*} overrides).
 */
public final class ConfigSource {
    private final Path file;
    private final ConfigLoader loader;

    public ConfigSource(Path file, Set<String> providerTypes, Map<String, String> env) {
        this.file = file;
        this.loader = new ConfigLoader(providerTypes, env);
    }

    public Path file() {
        return file;
    }

    /** Reads and validates the file; blocking (file I/O), so never on an event loop. */
    public ProxyConfig load() throws ConfigException {
        return loader.load(file);
    }
}
