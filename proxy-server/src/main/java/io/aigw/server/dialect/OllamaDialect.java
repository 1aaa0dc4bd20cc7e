package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.ollama.OllamaEmbedTranslator;
import io.aigw.adapters.ollama.OllamaErrorTranslator;
import io.aigw.adapters.ollama.OllamaRequestTranslator;
import io.aigw.adapters.ollama.OllamaResponseTranslator;
import io.aigw.adapters.ollama.OllamaStreamTranslator;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;

/**
 * Ollama's native API ({@code POST {base_url}/api/chat}, {@code /api/embed}; PROTOCOLS 6). Chat and
 * embeddings are translated both ways; streams come back as NDJSON. Legacy completions are a
 * clear 400 ({@code /api/generate} is a different model of prompting). A local Ollama needs no
 * key; with {@code api_key} set (ollama.com, or an authenticating proxy) it goes as a Bearer token.
 */
public final class OllamaDialect implements Dialect {
    private final String providerName;

    public OllamaDialect(String providerName) {
        this.providerName = providerName;
    }

    @Override
    public DialectCall prepare(
            ApiEndpoint endpoint, ByteBuf clientBody, RequestScan scan, Deployment deployment, ByteBufAllocator alloc) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS ->
                new ChatCall(OllamaRequestTranslator.translate(clientBody, deployment.modelId(), alloc));
            case EMBEDDINGS -> new EmbedCall(OllamaEmbedTranslator.request(clientBody, deployment.modelId(), alloc));
            default ->
                throw new ApiException(ApiError.badRequest(
                        "unsupported_endpoint",
                        "model",
                        "Provider '" + providerName
                                + "' (ollama) does not serve legacy completions; use chat completions."));
        };
    }

    @Override
    public String path(ApiEndpoint endpoint, String modelId) {
        return switch (endpoint) {
            case EMBEDDINGS -> "/api/embed";
            case COMPLETIONS -> "/api/generate"; // never called: prepare refuses it
            default -> "/api/chat";
        };
    }

    @Override
    public List<CharSequence> fixedHeaders(ProviderConfig provider) {
        return List.of();
    }

    @Override
    public CharSequence keyHeader() {
        return HttpHeaderNames.AUTHORIZATION;
    }

    private static final class ChatCall implements DialectCall {
        private final OllamaRequestTranslator.Result request;

        ChatCall(OllamaRequestTranslator.Result request) {
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

        /** Ollama streams NDJSON; an SSE answer (some proxies in front of it) is not what this reads. */
        @Override
        public boolean isStream(String contentType) {
            return contentType != null && contentType.regionMatches(true, 0, "application/x-ndjson", 0, 20);
        }

        @Override
        public StreamTranslator newStreamTranslator() {
            return new OllamaStreamTranslator(
                    DialectCall.newChatId(), System.currentTimeMillis() / 1000, request.includeUsage());
        }

        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            try {
                if (status / 100 == 2) {
                    return new Answer(
                            200,
                            OllamaResponseTranslator.translate(
                                            upstreamBody,
                                            DialectCall.newChatId(),
                                            System.currentTimeMillis() / 1000,
                                            alloc)
                                    .body(),
                            "application/json");
                }
                return Answer.of(OllamaErrorTranslator.translate(status, upstreamBody), alloc);
            } catch (ApiException unreadable) {
                return Answer.of(unreadable.error(), alloc);
            } finally {
                upstreamBody.release();
            }
        }
    }

    private static final class EmbedCall implements DialectCall {
        private final OllamaEmbedTranslator.Request request;

        EmbedCall(OllamaEmbedTranslator.Request request) {
            this.request = request;
        }

        @Override
        public ByteBuf body() {
            return request.body();
        }

        @Override
        public boolean stream() {
            return false;
        }

        @Override
        public StreamTranslator newStreamTranslator() {
            throw new IllegalStateException("embeddings do not stream");
        }

        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            try {
                if (status / 100 == 2) {
                    return new Answer(
                            200,
                            OllamaEmbedTranslator.response(upstreamBody, request.base64(), alloc)
                                    .body(),
                            "application/json");
                }
                return Answer.of(OllamaErrorTranslator.translate(status, upstreamBody), alloc);
            } catch (ApiException unreadable) {
                return Answer.of(unreadable.error(), alloc);
            } finally {
                upstreamBody.release();
            }
        }
    }
}
