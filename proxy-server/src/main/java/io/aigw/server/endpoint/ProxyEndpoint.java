package io.aigw.server.endpoint;

import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.config.ProxyConfig.ModelRoute;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.WildcardRoutes;
import io.aigw.server.dialect.DialectCall;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.upstream.UpstreamCall;
import io.aigw.server.upstream.UpstreamClient;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.Optional;

/**
 * Chat completions, legacy completions and embeddings: reads {@code model} and {@code stream} from
 * the body with the streaming parser, picks the model's first deployment, has the provider's dialect
 * prepare the upstream request, and hands it to an {@link UpstreamCall}.
 */
public final class ProxyEndpoint implements Endpoint {
    private final ApiEndpoint api;
    private final ProxyConfig config;
    private final UpstreamClient upstreamClient;
    private final WildcardRoutes<ModelRoute> routes;

    public ProxyEndpoint(ApiEndpoint api, ProxyConfig config, UpstreamClient upstreamClient) {
        this.api = api;
        this.config = config;
        this.upstreamClient = upstreamClient;
        this.routes = WildcardRoutes.of(config.models());
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        ProviderConfig provider;
        Deployment deployment;
        DialectCall call;
        try {
            RequestScan scan = RequestScan.scan(request.content(), api);
            Optional<WildcardRoutes.Match<ModelRoute>> match = routes.match(scan.model());
            if (match.isEmpty()) {
                Responses.sendError(ctx, ApiError.modelNotFound(scan.model()));
                return;
            }
            deployment = match.get().route().deployments().get(0);
            if (match.get().wildcard()) {
                // "openrouter/*": the rest of the requested name is the provider's model id. It comes from
                // the client and ends up in a URL path (Azure) and a response header, so it must be plain.
                String modelId = match.get().modelId().orElseThrow();
                if (!isPlain(modelId)) {
                    Responses.sendError(ctx, ApiError.badRequest("invalid_value", "model",
                            "The model name contains characters that are not allowed."));
                    return;
                }
                deployment = new Deployment(deployment.provider(), modelId,
                        deployment.priority(), deployment.weight(), deployment.maxTokens());
            }
            provider = config.providers().get(deployment.provider());
            call = upstreamClient.dialect(provider).prepare(api, request.content(), scan, deployment,
                    ctx.alloc());
        } catch (ApiException e) {
            Responses.sendError(ctx, e.error());
            return;
        } finally {
            request.release();
        }
        new UpstreamCall(ctx, exchange, upstreamClient, provider, deployment.modelId(), api, call).start();
    }

    /** Printable ASCII without spaces: what provider model ids look like, and safe in a header or path. */
    private static boolean isPlain(String modelId) {
        if (modelId.isEmpty() || modelId.length() > 256) {
            return false;
        }
        for (int i = 0; i < modelId.length(); i++) {
            char c = modelId.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
