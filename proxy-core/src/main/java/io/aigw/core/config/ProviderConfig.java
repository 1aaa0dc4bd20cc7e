package io.aigw.core.config;

import java.net.URI;
import java.util.Map;

/**
 * One configured provider.
 *
 * @param type dialect name ({@code openai} for now; later {@code anthropic}, {@code azure}, {@code ollama})
 * @param baseUrl normalised without a trailing slash, e.g. {@code https://api.openai.com/v1}
 * @param apiKey the provider's key, possibly empty; never printed (see {@link #toString()})
 * @param headers extra headers sent on every upstream request (OpenRouter's HTTP-Referer, X-Title)
 */
public record ProviderConfig(
        String name,
        String type,
        URI baseUrl,
        String apiKey,
        Map<String, String> headers,
        UpstreamSettings upstream,
        TlsConfig tls) {

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
                + ", headers=" + headers.keySet() + ", upstream=" + upstream + ", tls=" + tls + "]";
    }
}
