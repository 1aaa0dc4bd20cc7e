package io.aigw.server.endpoint;

import io.aigw.adapters.messages.TokenEstimate;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.WildcardRoutes;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.routing.Routes;
import io.aigw.server.routing.Routing;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Optional;

/**
 * {@code POST /v1/messages/count_tokens}: counted by the provider when the model's first deployment is
 * an Anthropic one (the request then takes the delegate's routed, limited, logged pass-through path),
 * and estimated by the gateway otherwise ({@link TokenEstimate}: no provider call, nothing spent), since
 * no other provider has an endpoint that counts a Messages request. Bad requests and unknown models go to
 * the delegate too, which answers them as for any model call.
 */
public final class CountTokensEndpoint implements Endpoint {
    private final Endpoint delegate;
    private final ProxyConfig config;
    private final Routing routing;

    public CountTokensEndpoint(Endpoint delegate, ProxyConfig config, Routing routing) {
        this.delegate = delegate;
        this.config = config;
        this.routing = routing;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        String model;
        try {
            model = RequestScan.scan(request.content(), ApiEndpoint.COUNT_TOKENS)
                    .model();
        } catch (ApiException bad) {
            delegate.handle(ctx, request, exchange);
            return;
        }
        Optional<WildcardRoutes.Match<Routes.Route>> match = routing.routes().match(model);
        if (match.isEmpty() || countedUpstream(match.get().route())) {
            delegate.handle(ctx, request, exchange);
            return;
        }
        exchange.endpoint(ApiEndpoint.COUNT_TOKENS);
        exchange.requestedModel(model);
        exchange.routeName(match.get().route().config().name());
        ApiError refused =
                exchange.principal() == null ? null : exchange.principal().refusal(model);
        long tokens = refused == null ? TokenEstimate.of(request.content()) : 0;
        request.release();
        if (refused != null) {
            Responses.sendError(ctx, refused);
            return;
        }
        Responses.sendJson(ctx, 200, ("{\"input_tokens\":" + tokens + "}").getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether the deployment tried first (lowest priority, then config order) is on an Anthropic provider. */
    private boolean countedUpstream(Routes.Route route) {
        Optional<DeploymentState> first =
                route.selector().deployments().stream().min(Comparator.comparingInt(DeploymentState::priority));
        if (first.isEmpty()) {
            return true;
        }
        ProviderConfig provider = config.providers().get(first.get().provider());
        return provider != null && "anthropic".equals(provider.type());
    }
}
