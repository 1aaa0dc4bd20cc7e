package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.gemini.GeminiEmbedTranslator;
import io.aigw.adapters.gemini.GeminiErrorTranslator;
import io.aigw.adapters.gemini.GeminiRequestTranslator;
import io.aigw.adapters.gemini.GeminiResponseTranslator;
import io.aigw.adapters.gemini.GeminiStreamTranslator;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Google's Gemini API ({@code POST {base_url}/v1beta/models/{id}:generateContent},
 * {@code :streamGenerateContent?alt=sse}, {@code :batchEmbedContents}; {@code x-goog-api-key};
 * PROTOCOLS 7). Chat and embeddings are translated both ways. The stream choice is in the URL, so a
 * streamed call names its own path; legacy completions are a clear 400.
 */
public final class GeminiDialect implements Dialect {
    private static final AsciiString X_GOOG_API_KEY = AsciiString.cached("x-goog-api-key");

    private final String providerName;

    public GeminiDialect(String providerName) {
        this.providerName = providerName;
    }

    @Override
    public DialectCall prepare(
            ApiEndpoint endpoint, ByteBuf clientBody, RequestScan scan, Deployment deployment, ByteBufAllocator alloc) {
        String modelId = deployment.modelId();
        return switch (endpoint) {
            case CHAT_COMPLETIONS -> new ChatCall(GeminiRequestTranslator.translate(clientBody, alloc), modelId);
            case EMBEDDINGS ->
                new EmbedCall(GeminiEmbedTranslator.request(clientBody, bareId(modelId), alloc), bareId(modelId));
            default ->
                throw new ApiException(ApiError.badRequest(
                        "unsupported_endpoint",
                        "model",
                        "Provider '" + providerName + "' (gemini) does not serve "
                                + (endpoint == ApiEndpoint.COMPLETIONS
                                        ? "legacy completions"
                                        : "/v1" + endpoint.upstreamPath())
                                + "; use chat completions."));
        };
    }

    /** Answers for every endpoint (paths are computed for all of them up front); only chat and embeddings are used. */
    @Override
    public String path(ApiEndpoint endpoint, String modelId) {
        return endpoint == ApiEndpoint.EMBEDDINGS
                ? modelPath(modelId, ":batchEmbedContents")
                : modelPath(modelId, ":generateContent");
    }

    /**
     * {@code /v1beta/models/{id}{method}}; a {@code models/} prefix on the configured id is not doubled,
     * and the id is encoded, so that a stray space or slash cannot change the path.
     */
    static String modelPath(String modelId, String method) {
        return "/v1beta/models/"
                + URLEncoder.encode(bareId(modelId), StandardCharsets.UTF_8).replace("+", "%20") + method;
    }

    private static String bareId(String modelId) {
        return modelId.startsWith("models/") ? modelId.substring(7) : modelId;
    }

    @Override
    public List<CharSequence> fixedHeaders(ProviderConfig provider) {
        return List.of();
    }

    @Override
    public CharSequence keyHeader() {
        return X_GOOG_API_KEY;
    }

    @Override
    public CharSequence keyValue(String key) {
        return key;
    }

    private static final class ChatCall implements DialectCall {
        private final GeminiRequestTranslator.Result request;
        private final String modelId;

        ChatCall(GeminiRequestTranslator.Result request, String modelId) {
            this.request = request;
            this.modelId = modelId;
        }

        @Override
        public ByteBuf body() {
            return request.body();
        }

        @Override
        public boolean stream() {
            return request.stream();
        }

        /** A stream is another method on the same model, and SSE only with {@code alt=sse}. */
        @Override
        public String path() {
            return request.stream() ? modelPath(modelId, ":streamGenerateContent?alt=sse") : null;
        }

        @Override
        public StreamTranslator newStreamTranslator() {
            return new GeminiStreamTranslator(
                    DialectCall.newChatId(), System.currentTimeMillis() / 1000, modelId, request.includeUsage());
        }

        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            try {
                if (status / 100 == 2) {
                    GeminiResponseTranslator.Translated t = GeminiResponseTranslator.translate(
                            upstreamBody, DialectCall.newChatId(), System.currentTimeMillis() / 1000, modelId, alloc);
                    return new Answer(200, t.body(), "application/json");
                }
                return Answer.of(GeminiErrorTranslator.translate(status, upstreamBody), alloc);
            } catch (ApiException unreadable) {
                return Answer.of(unreadable.error(), alloc);
            } finally {
                upstreamBody.release();
            }
        }
    }

    private static final class EmbedCall implements DialectCall {
        private final GeminiEmbedTranslator.Request request;
        private final String modelId;

        EmbedCall(GeminiEmbedTranslator.Request request, String modelId) {
            this.request = request;
            this.modelId = modelId;
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
                            GeminiEmbedTranslator.response(upstreamBody, modelId, request.base64(), alloc)
                                    .body(),
                            "application/json");
                }
                return Answer.of(GeminiErrorTranslator.translate(status, upstreamBody), alloc);
            } catch (ApiException unreadable) {
                return Answer.of(unreadable.error(), alloc);
            } finally {
                upstreamBody.release();
            }
        }
    }
}
