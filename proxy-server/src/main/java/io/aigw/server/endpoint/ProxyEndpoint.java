package io.aigw.server.endpoint;

import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.WildcardRoutes;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.limits.RateLimitPlan;
import io.aigw.server.limits.RateLimiter;
import io.aigw.server.routing.Failover;
import io.aigw.server.routing.Routes;
import io.aigw.server.routing.Routing;
import io.aigw.server.trace.CapturedContent;
import io.aigw.server.upstream.UpstreamClient;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chat completions, legacy completions and embeddings: reads {@code model} and {@code stream} from
 * the body with the streaming parser, finds the model's route, and hands the request to a
 * {@link Failover} over the route's deployments in the selector's order.
 */
public final class ProxyEndpoint implements Endpoint {
    private final ApiEndpoint api;
    private final ProxyConfig config;
    private final UpstreamClient upstreamClient;
    private final Routing routing;
    /** Null when no limit can apply (none configured, no database keys). */
    private final RateLimiter limiter;

    public ProxyEndpoint(ApiEndpoint api, ProxyConfig config, UpstreamClient upstreamClient, Routing routing) {
        this(api, config, upstreamClient, routing, null);
    }

    public ProxyEndpoint(
            ApiEndpoint api, ProxyConfig config, UpstreamClient upstreamClient, Routing routing, RateLimiter limiter) {
        this.api = api;
        this.config = config;
        this.upstreamClient = upstreamClient;
        this.routing = routing;
        this.limiter = limiter;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        exchange.endpoint(api);
        RequestScan scan;
        try {
            scan = RequestScan.scan(request.content(), api);
        } catch (ApiException e) {
            request.release();
            Responses.sendError(ctx, e.error());
            return;
        }
        exchange.requestedModel(scan.model());
        exchange.stream(scan.stream());
        if (CapturedContent.wanted(exchange.config())) {
            exchange.capturedInput(CapturedContent.of(request.content()));
        }
        exchange.requestMaxTokens(scan.maxTokens());
        exchange.requestTemperature(scan.temperature());
        // A database key's model list and budget, before any provider is called.
        ApiError refused =
                exchange.principal() == null ? null : exchange.principal().refusal(scan.model());
        if (refused != null) {
            request.release();
            Responses.sendError(ctx, refused);
            return;
        }
        Optional<WildcardRoutes.Match<Routes.Route>> match = routing.routes().match(scan.model());
        if (match.isEmpty()) {
            request.release();
            Responses.sendError(ctx, ApiError.modelNotFound(scan.model()));
            return;
        }
        String wildcardModelId = null;
        if (match.get().wildcard()) {
            // "openrouter/*": the rest of the requested name is the provider's model id. It comes from
            // the client and ends up in a URL path (Azure) and a response header, so it must be plain.
            wildcardModelId = match.get().modelId().orElseThrow();
            if (!isPlain(wildcardModelId)) {
                request.release();
                Responses.sendError(
                        ctx,
                        ApiError.badRequest(
                                "invalid_value", "model", "The model name contains characters that are not allowed."));
                return;
            }
        }
        Routes.Route route = match.get().route();
        exchange.routeName(route.config().name()); // a wildcard's pattern, never the client's string
        // A single deployment is always tried: with nothing to fail over to, an open breaker would only
        // turn a short provider hiccup into minutes of 503s.
        List<DeploymentState> all = route.selector().deployments();
        List<DeploymentState> candidates = all.size() == 1
                ? all
                : route.selector().candidates(routing.clock().nanoTime(), ThreadLocalRandom.current());
        Failover failover = new Failover(
                ctx, exchange, api, request, scan, route, candidates, wildcardModelId, config, upstreamClient, routing);
        // Limits last: a request refused for its own faults above spends none of them.
        RateLimitPlan plan = limiter == null
                ? null
                : limiter.plan(
                        exchange,
                        api,
                        request.content().readableBytes(),
                        scan.maxTokens(),
                        route.config().timeout(),
                        ctx.channel().remoteAddress());
        if (plan == null) {
            failover.start();
        } else {
            limiter.admit(ctx, request, exchange, plan, failover::start);
        }
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
