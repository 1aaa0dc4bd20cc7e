package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.OpenAiRequestRewriter;
import io.aigw.adapters.openai.OpenAiResponseTap;
import io.aigw.adapters.openai.OpenAiStreamTap;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.ArrayList;
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
    public DialectCall prepare(ApiEndpoint endpoint, ByteBuf clientBody, RequestScan scan, Deployment deployment,
                               ByteBufAllocator alloc) {
        // The log and quotas need usage for every stream, asked for or not; the tap hides the extra chunk.
        boolean forceUsage = scan.stream() && !scan.clientIncludeUsage();
        ByteBuf body = OpenAiRequestRewriter.rewrite(alloc, clientBody, scan, deployment.modelId(), forceUsage);
        return new Call(body, scan.stream(), forceUsage);
    }

    @Override
    public String path(ApiEndpoint endpoint) {
        return endpoint.upstreamPath();
    }

    @Override
    public List<CharSequence> fixedHeaders(ProviderConfig provider) {
        List<CharSequence> h = new ArrayList<>();
        if (!provider.apiKey().isEmpty()) {
            h.add(HttpHeaderNames.AUTHORIZATION);
            h.add(new AsciiString("Bearer " + provider.apiKey()));
        }
        return h;
    }

    private final class Call implements DialectCall {
        private final ByteBuf body;
        private final boolean stream;
        private final boolean dropUsageChunk;

        Call(ByteBuf body, boolean stream, boolean dropUsageChunk) {
            this.body = body;
            this.stream = stream;
            this.dropUsageChunk = dropUsageChunk;
        }

        @Override
        public ByteBuf body() {
            return body;
        }

        @Override
        public boolean stream() {
            return stream;
        }

        @Override
        public StreamTranslator newStreamTranslator() {
            return new OpenAiStreamTap(dropUsageChunk);
        }

        /** Passed through, except that an error body which is not OpenAI's (a CDN's HTML page, say) is rewrapped. */
        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            if (status < 400 || OpenAiResponseTap.read(upstreamBody).error()) {
                return new Answer(status, upstreamBody, contentType == null ? "application/json" : contentType);
            }
            upstreamBody.release();
            ApiError wrapped = new ApiError(status, status >= 500 ? ApiError.API_ERROR : ApiError.INVALID_REQUEST,
                    "upstream_error", null, "Provider '" + providerName + "' answered HTTP " + status + ".");
            return new Answer(status, alloc.buffer().writeBytes(wrapped.toJsonBytes()), "application/json");
        }
    }
}
