package io.aigw.server.dialect;

import io.aigw.adapters.openai.OpenAiRequestRewriter;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.AzureSettings;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Azure OpenAI (PROTOCOLS.md 5): OpenAI's bodies and answers, but the deployment (the deployment's
 * {@code model_id}) in the path with a required {@code api-version}, or the newer {@code /openai/v1}
 * paths with the deployment in the body; the key in {@code api-key}, or an Entra ID bearer token.
 * Streams lose Azure's content-filter annotation chunks, which strict OpenAI clients cannot parse.
 */
public final class AzureDialect implements Dialect {
    private static final AsciiString API_KEY = AsciiString.cached("api-key");

    private final String providerName;
    private final AzureSettings azure;

    public AzureDialect(ProviderConfig provider) {
        this.providerName = provider.name();
        this.azure = provider.azure();
    }

    /** As for OpenAI: {@code model} is spliced (the deployment name, which v1 needs and the path style ignores). */
    @Override
    public DialectCall prepare(
            ApiEndpoint endpoint, ByteBuf clientBody, RequestScan scan, Deployment deployment, ByteBufAllocator alloc) {
        boolean forceUsage = scan.stream() && !scan.clientIncludeUsage();
        ByteBuf body = OpenAiRequestRewriter.rewrite(alloc, clientBody, scan, deployment.modelId(), forceUsage);
        return new OpenAiCall(providerName, body, scan.stream(), forceUsage, true);
    }

    @Override
    public String path(ApiEndpoint endpoint, String modelId) {
        if (azure.style() == AzureSettings.Style.V1) {
            return "/openai/v1" + endpoint.upstreamPath();
        }
        // Deployment names are plain ([A-Za-z0-9._-]); encoding only guards against a stray space or slash.
        return "/openai/deployments/"
                + URLEncoder.encode(modelId, StandardCharsets.UTF_8).replace("+", "%20") + endpoint.upstreamPath()
                + "?api-version=" + azure.apiVersion();
    }

    /** The config guarantees exactly one credential: api key(s), sent per request, or a fixed bearer token. */
    @Override
    public List<CharSequence> fixedHeaders(ProviderConfig provider) {
        List<CharSequence> h = new ArrayList<>();
        if (provider.apiKeys().isEmpty() && !azure.bearerToken().isEmpty()) {
            h.add(HttpHeaderNames.AUTHORIZATION);
            h.add(new AsciiString("Bearer " + azure.bearerToken()));
        }
        return h;
    }

    @Override
    public CharSequence keyHeader() {
        return API_KEY;
    }

    @Override
    public CharSequence keyValue(String key) {
        return key;
    }
}
