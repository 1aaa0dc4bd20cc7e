package io.aigw.server.dialect;

/**
 * Prepares a call for one (client API, provider type) pair other than OpenAI's client API, whose calls
 * go straight to the provider's {@link Dialect}. Throws {@link io.aigw.core.error.ApiException} (400)
 * for what the pair cannot carry.
 */
@FunctionalInterface
public interface Converter {
    DialectCall prepare(CallInput in);
}
