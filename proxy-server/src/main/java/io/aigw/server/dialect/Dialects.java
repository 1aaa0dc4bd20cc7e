package io.aigw.server.dialect;

import io.aigw.core.config.ProviderConfig;
import java.util.Set;

/** The provider types the proxy speaks, and the dialect of each. */
public final class Dialects {
    public static final Set<String> TYPES = Set.of("openai", "anthropic", "azure", "ollama", "gemini");

    private Dialects() {}

    public static Dialect of(ProviderConfig provider) {
        return switch (provider.type()) {
            case "openai" -> new OpenAiDialect(provider.name());
            case "anthropic" -> new AnthropicDialect(provider.name());
            case "azure" -> new AzureDialect(provider);
            case "ollama" -> new OllamaDialect(provider.name());
            case "gemini" -> new GeminiDialect(provider.name());
            default -> throw new IllegalArgumentException("unknown provider type " + provider.type());
        };
    }
}
