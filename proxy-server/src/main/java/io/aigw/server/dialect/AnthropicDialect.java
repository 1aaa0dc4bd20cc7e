package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.anthropic.AnthropicErrorTranslator;
import io.aigw.adapters.anthropic.AnthropicRequestTranslator;
import io.aigw.adapters.anthropic.AnthropicResponseTranslator;
import io.aigw.adapters.anthropic.AnthropicStreamTranslator;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic's Messages API ({@code POST {base_url}/v1/messages}, {@code x-api-key},
 * {@code anthropic-version}). Chat completions are translated both ways; Anthropic has no
 * embeddings or legacy completions, so those are a clear 400 rather than an upstream 404.
 */
public final class AnthropicDialect implements Dialect {
    static final String API_VERSION = "2023-06-01";
    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final AsciiString ANTHROPIC_VERSION = AsciiString.cached("anthropic-version");

    private final String providerName;

    public AnthropicDialect(String providerName) {
        this.providerName = providerName;
    }

    @Override
    public DialectCall prepare(
            ApiEndpoint endpoint, ByteBuf clientBody, RequestScan scan, Deployment deployment, ByteBufAllocator alloc) {
        if (endpoint != ApiEndpoint.CHAT_COMPLETIONS) {
            throw new ApiException(ApiError.badRequest(
                    "unsupported_endpoint",
                    "model",
                    "Provider '" + providerName
                            + "' (anthropic) does not serve "
                            + (endpoint == ApiEndpoint.EMBEDDINGS ? "embeddings" : "legacy completions")
                            + "; route this model to a provider that does."));
        }
        return new Call(
                AnthropicRequestTranslator.translate(clientBody, deployment.modelId(), deployment.maxTokens(), alloc));
    }

    @Override
    public String path(ApiEndpoint endpoint, String modelId) {
        // Token counting is only ever a pass-through (an Anthropic client's); everything else is Messages.
        return endpoint == ApiEndpoint.COUNT_TOKENS ? "/v1/messages/count_tokens" : "/v1/messages";
    }

    @Override
    public List<CharSequence> fixedHeaders(ProviderConfig provider) {
        List<CharSequence> h = new ArrayList<>();
        // A configured anthropic-version (or anthropic-beta) comes with the provider's own headers.
        boolean versionConfigured =
                provider.headers().keySet().stream().anyMatch(ANTHROPIC_VERSION::contentEqualsIgnoreCase);
        if (!versionConfigured) {
            h.add(ANTHROPIC_VERSION);
            h.add(API_VERSION);
        }
        return h;
    }

    @Override
    public CharSequence keyHeader() {
        return X_API_KEY;
    }

    @Override
    public CharSequence keyValue(String key) {
        return key;
    }

    private static final class Call implements DialectCall {
        private final AnthropicRequestTranslator.Result request;

        Call(AnthropicRequestTranslator.Result request) {
            this.request = request;
        }

        @Override
        public ByteBuf body() {
            return request.body();
        }

        @Override
        public boolean stream() {
            return request.stream();
        }

        @Override
        public StreamTranslator newStreamTranslator() {
            return new AnthropicStreamTranslator(
                    DialectCall.newChatId(),
                    System.currentTimeMillis() / 1000,
                    request.includeUsage(),
                    request.jsonSchemaTool());
        }

        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            try {
                if (status / 100 == 2) {
                    AnthropicResponseTranslator.Translated t = AnthropicResponseTranslator.translate(
                            upstreamBody, System.currentTimeMillis() / 1000, request.jsonSchemaTool(), alloc);
                    return new Answer(200, t.body(), "application/json");
                }
                return Answer.of(AnthropicErrorTranslator.translate(status, upstreamBody), alloc);
            } catch (ApiException unreadable) {
                return Answer.of(unreadable.error(), alloc);
            } finally {
                upstreamBody.release();
            }
        }
    }
}
