package io.aigw.core.config;

import java.net.URI;
import java.util.Map;

/**
 * One configured provider.
 *
 * @param type dialect name ({@code openai}, {@code anthropic}, {@code azure}; later {@code ollama})
 * @param baseUrl normalised without a trailing slash, e.g. {@code https://api.openai.com/v1}
 * @param apiKey the provider's key, possibly empty; never printed (see {@link #toString()})
 * @param headers extra headers sent on every upstream request (OpenRouter's HTTP-Referer, X-Title)
 * @param azure the azure-only settings, null for every other type
 */
public record ProviderConfig(
        String name,
        String type,
        URI baseUrl,
        String apiKey,
        Map<String, String> headers,
        UpstreamSettings upstream,
        TlsConfig tls,
        AzureSettings azure) {

    public ProviderConfig(String name, String type, URI baseUrl, String apiKey, Map<String, String> headers,
                          UpstreamSettings upstream, TlsConfig tls) {
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
                + ", headers=" + headers.keySet() + ", upstream=" + upstream + ", tls=" + tls + (azure == null ? "" : ", azure=" + azure) + "]";
    }
}
