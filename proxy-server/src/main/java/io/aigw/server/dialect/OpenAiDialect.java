package io.aigw.server.dialect;

import io.aigw.adapters.openai.OpenAiRequestRewriter;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;

/**
 * OpenAI-compatible hosts (OpenAI, OpenRouter, vLLM, LM Studio, Ollama's /v1): the body goes up with
 * only {@code model} spliced (and usage asked for on streams), the answer comes back as it is.
 */
public final class OpenAiDialect implements Dialect {
    private final String providerName;

    public OpenAiDialect(String providerName) {
        this.providerName = providerName;
    }

    @Override
    public DialectCall prepare(
            ApiEndpoint endpoint, ByteBuf clientBody, RequestScan scan, Deployment deployment, ByteBufAllocator alloc) {
        // The log and quotas need usage for every stream, asked for or not; the tap hides the extra chunk.
        boolean forceUsage = scan.stream() && !scan.clientIncludeUsage();
        ByteBuf body = OpenAiRequestRewriter.rewrite(alloc, clientBody, scan, deployment.modelId(), forceUsage);
        return new OpenAiCall(providerName, body, scan.stream(), forceUsage, false);
    }

    @Override
    public String path(ApiEndpoint endpoint, String modelId) {
        return endpoint.upstreamPath();
    }

    @Override
    public List<CharSequence> fixedHeaders(ProviderConfig provider) {
        return List.of();
    }

    @Override
    public CharSequence keyHeader() {
        return HttpHeaderNames.AUTHORIZATION;
    }
}
