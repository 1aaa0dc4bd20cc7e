package io.aigw.server.endpoint;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.adapters.openai.ErrorBodies;
import io.aigw.adapters.responses.ResponsesStreamTap;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ResponsesApi;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.ClientApi;
import io.aigw.core.routing.FailureClass;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.dialect.DialectCall;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeMdc;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.routing.Routing;
import io.aigw.server.upstream.UpstreamCall;
import io.aigw.server.upstream.UpstreamClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

/**
 * {@code GET} and {@code DELETE /v1/responses/{id}[/...]}: a stored response lives at the provider that
 * made it, and the id does not say which one. The providers with {@code responses: native} are asked in
 * config order, one single-attempt call each with a key from that provider's pool, moving on after a
 * 404 (or a retryable failure); the last answer is the client's. Responses made through chat
 * completions are not stored, so with no native provider the answer is a 404 that says why.
 */
public final class ResponsesItemEndpoint implements Endpoint {
    public static final String PREFIX = "/v1/responses/";

    private final ProxyConfig config;
    private final UpstreamClient upstreamClient;
    private final Routing routing;
    private final List<ProviderConfig> natives;

    public ResponsesItemEndpoint(ProxyConfig config, UpstreamClient upstreamClient, Routing routing) {
        this.config = config;
        this.upstreamClient = upstreamClient;
        this.routing = routing;
        this.natives = config.providers().values().stream()
                .filter(p -> p.responsesApi() == ResponsesApi.NATIVE)
                .toList();
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        exchange.endpoint(ApiEndpoint.RESPONSES);
        String uri = request.uri();
        HttpMethod method = request.method();
        request.release();
        int at = uri.indexOf(PREFIX);
        String rest = at < 0 ? "" : uri.substring(at + PREFIX.length());
        if (rest.isEmpty() || !isPlain(rest)) {
            Responses.sendError(ctx, ApiError.unknownPath(method.name(), exchange.path()));
            return;
        }
        if (natives.isEmpty()) {
            Responses.sendError(
                    ctx,
                    new ApiError(
                            404,
                            ApiError.INVALID_REQUEST,
                            "not_found",
                            null,
                            "No provider here keeps responses: responses made through chat completions are not"
                                    + " stored, and no provider has 'responses: native'."));
            return;
        }
        new Lookup(ctx, exchange, method, rest).tryNext();
    }

    /** Printable ASCII, no spaces, no dot segments: an id (and sub-resource, query) safe to put in a path. */
    private static boolean isPlain(String s) {
        if (s.length() > 512 || s.startsWith(".") || s.contains("/.") || s.contains("//")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#') {
                return false;
            }
        }
        return true;
    }

    /** Asks the native providers in turn for one request. */
    private final class Lookup implements UpstreamCall.Outcome {
        private final ChannelHandlerContext ctx;
        private final Exchange exchange;
        private final HttpMethod method;
        private final String rest;
        private final long deadlineNanos;
        private int next;
        private KeyPool pool;
        private KeyPool.Key key;
        private ApiError lastError;

        Lookup(ChannelHandlerContext ctx, Exchange exchange, HttpMethod method, String rest) {
            this.ctx = ctx;
            this.exchange = exchange;
            this.method = method;
            this.rest = rest;
            // Each try keeps its provider's own total timeout; the lookup as a whole, their sum.
            long total = 0;
            for (ProviderConfig p : natives) {
                total += p.upstream().totalTimeout().toNanos();
            }
            this.deadlineNanos = exchange.startNanos() + total;
        }

        void tryNext() {
            long now = routing.clock().nanoTime();
            while (next < natives.size()) {
                ProviderConfig provider = natives.get(next++);
                KeyPool p = routing.keys().get(provider.name());
                KeyPool.Key k = null;
                if (p.size() > 0) {
                    k = p.pick(now);
                    if (k == null) {
                        lastError = ApiError.unavailable(
                                "no_usable_key", "Provider '" + provider.name() + "' has no usable API key.");
                        continue;
                    }
                    p.onStart(k);
                }
                pool = p;
                key = k;
                String path = upstreamClient.dialect(provider).path(ApiEndpoint.RESPONSES, "") + "/" + rest;
                ItemCall call = new ItemCall(
                        provider.name(),
                        method,
                        path,
                        next < natives.size(),
                        ctx.alloc().buffer(0));
                Attempt attempt = new Attempt(
                        exchange.attempts().size() + 1,
                        provider.name(),
                        provider.name(),
                        provider.type(),
                        "",
                        k == null ? -1 : k.index(),
                        provider.baseUrl().getHost(),
                        System.nanoTime());
                new UpstreamCall(
                                ctx,
                                exchange,
                                upstreamClient,
                                provider,
                                "",
                                ApiEndpoint.RESPONSES,
                                call,
                                this,
                                attempt,
                                k,
                                deadlineNanos)
                        .start();
                return;
            }
            ApiError error = lastError != null
                    ? lastError
                    : ApiError.unavailable("no_provider_available", "No native Responses provider could be asked.");
            exchange.error(error);
            Responses.sendError(ctx, error);
        }

        @Override
        public boolean failedOver(ApiError error, FailureClass failure, int upstreamStatus, long retryAfterNanos) {
            finishKey();
            lastError = error;
            if (next >= natives.size()) {
                return false;
            }
            ctx.executor().execute(ExchangeMdc.wrap(exchange, this::tryNext));
            return true;
        }

        @Override
        public void firstByte(long ttfbNanos) {}

        @Override
        public void responding() {}

        @Override
        public void succeeded() {}

        @Override
        public void failedAfterStart() {}

        @Override
        public void ended() {
            finishKey();
        }

        private void finishKey() {
            if (key != null) {
                pool.onFinish(key);
                key = null;
            }
        }
    }

    /** One provider's try: no body, the item's own path, the answer passed through. */
    private record ItemCall(String providerName, HttpMethod method, String path, boolean hasNext, ByteBuf body)
            implements DialectCall {
        @Override
        public boolean stream() {
            return false;
        }

        @Override
        public StreamTranslator newStreamTranslator() {
            return new ResponsesStreamTap(); // GET ...?stream=true replays a background response's events
        }

        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            if (status < 400 || ErrorBodies.isComplete(upstreamBody)) {
                return new Answer(status, upstreamBody, contentType == null ? "application/json" : contentType);
            }
            ApiError normalized = ErrorBodies.normalize(status, upstreamBody, providerName);
            upstreamBody.release();
            return Answer.of(normalized, ClientApi.RESPONSES, alloc);
        }

        @Override
        public ApiEndpoint upstreamEndpoint() {
            return ApiEndpoint.RESPONSES;
        }

        @Override
        public boolean movesOnAfter(int status) {
            return status == 404 && hasNext;
        }

        /** A stored response was counted when it was made: reading or deleting it costs nothing. */
        @Override
        public CompletionFacts facts(ByteBuf clientAnswer) {
            return CompletionFacts.NONE;
        }
    }
}
