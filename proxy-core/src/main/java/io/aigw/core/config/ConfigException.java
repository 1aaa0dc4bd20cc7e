package io.aigw.core.config;

/**
 * A configuration problem, worded as the one line start-up prints: the key path and what is wrong,
 * for example {@code models.gpt-4o-mini.providers.foo: unknown provider 'foo'}.
 */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
