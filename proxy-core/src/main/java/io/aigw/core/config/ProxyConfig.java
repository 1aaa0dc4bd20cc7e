package io.aigw.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration. Built only by {@link ConfigLoader}; every field is already
 * defaulted, environment-substituted and checked, so the rest of the code never re-validates.
 *
 * @param providers by provider name, in file order
 * @param models by public model name (what clients send as {@code model}), in file order
 * @param dataDir where state the proxy creates lives (the generated key hash, later the SQLite log)
 */
public record ProxyConfig(
        ServerConfig server,
        AuthConfig auth,
        Map<String, ProviderConfig> providers,
        Map<String, ModelRoute> models,
        Path dataDir) {

    /** The deployments of one public model, lowest priority number first. */
    public record ModelRoute(String name, List<Deployment> deployments) {}

    /**
     * One provider serving one model under the provider's own model id.
     *
     * @param maxTokens the {@code max_tokens} sent to providers that require one (Anthropic) when the
     *     client gave none; 0 means the dialect's default
     */
    public record Deployment(String provider, String modelId, int priority, int weight, int maxTokens) {
        public Deployment(String provider, String modelId, int priority, int weight) {
            this(provider, modelId, priority, weight, 0);
        }
    }
}
