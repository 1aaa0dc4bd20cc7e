package io.aigw.core.config;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One configured provider.
 *
 * @param type dialect name ({@code openai}, {@code anthropic}, {@code azure}; later {@code ollama})
 * @param baseUrl normalised without a trailing slash, e.g. {@code https://api.openai.com/v1}
 * @param apiKey the provider's (first) key, possibly empty; never printed (see {@link #toString()})
 * @param headers extra headers sent on every upstream request (OpenRouter's HTTP-Referer, X-Title)
 * @param azure the azure-only settings, null for every other type
 * @param apiKeys every key of the provider in file order, empty when it has none; {@code api_key}
 *     becomes a one-element list. Never printed.
 * @param keyStrategy how a request picks one of {@code apiKeys}
 * @param responsesApi how {@code /v1/responses} reaches this provider ({@code responses:}); null means
 *     {@link ResponsesApi#defaultFor}
 */
public record ProviderConfig(
        String name,
        String type,
        URI baseUrl,
        String apiKey,
        Map<String, String> headers,
        UpstreamSettings upstream,
        TlsConfig tls,
        AzureSettings azure,
        List<String> apiKeys,
        KeyStrategy keyStrategy,
        ResponsesApi responsesApi) {

    /** How a provider's keys take turns ({@code key_strategy}). */
    public enum KeyStrategy {
        /** Each request takes the next key in turn. */
        ROUND_ROBIN,
        /** The first usable key in file order; later keys are fallbacks. */
        PRIORITY,
        /** The usable key with the fewest requests in flight. */
        LEAST_USED
    }

    public ProviderConfig {
        apiKeys = List.copyOf(apiKeys);
        if (responsesApi == null) {
            responsesApi = ResponsesApi.defaultFor(type, baseUrl);
        }
    }

    /** With the default {@code responses:} setting for the type and address. */
    public ProviderConfig(
            String name,
            String type,
            URI baseUrl,
            String apiKey,
            Map<String, String> headers,
            UpstreamSettings upstream,
            TlsConfig tls,
            AzureSettings azure,
            List<String> apiKeys,
            KeyStrategy keyStrategy) {
        this(name, type, baseUrl, apiKey, headers, upstream, tls, azure, apiKeys, keyStrategy, null);
    }

    public ProviderConfig(
            String name,
            String type,
            URI baseUrl,
            String apiKey,
            Map<String, String> headers,
            UpstreamSettings upstream,
            TlsConfig tls,
            AzureSettings azure) {
        this(
                name,
                type,
                baseUrl,
                apiKey,
                headers,
                upstream,
                tls,
                azure,
                apiKey == null || apiKey.isEmpty() ? List.of() : List.of(apiKey),
                KeyStrategy.ROUND_ROBIN);
    }

    public ProviderConfig(
            String name,
            String type,
            URI baseUrl,
            String apiKey,
            Map<String, String> headers,
            UpstreamSettings upstream,
            TlsConfig tls) {
        this(name, type, baseUrl, apiKey, headers, upstream, tls, null);
    }

    public boolean isTls() {
        return "https".equalsIgnoreCase(baseUrl.getScheme());
    }

    public int port() {
        int port = baseUrl.getPort();
        return port > 0 ? port : isTls() ? 443 : 80;
    }

    @Override
    public String toString() {
        return "ProviderConfig[name=" + name + ", type=" + type + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<redacted>")
                + ", apiKeys=" + apiKeys.size() + " redacted, keyStrategy=" + keyStrategy
                + ", headers=" + headers.keySet() + ", upstream=" + upstream + ", tls=" + tls
                + (azure == null ? "" : ", azure=" + azure) + ", responsesApi=" + responsesApi + "]";
    }
}
