package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.exchange.ExchangeMdc;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last inbound handler: maps method and path to an {@link Endpoint} (404 for an unknown path, 405
 * with {@code Allow} for a known path and the wrong method), and tells the exchange's in-flight
 * upstream call when the client connection changes writability or goes away.
 */
@Sharable
public final class EndpointRouter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(EndpointRouter.class);

    private final Map<String, Map<HttpMethod, Endpoint>> exact = new HashMap<>();
    private final Map<String, Map<HttpMethod, Endpoint>> prefixes = new LinkedHashMap<>();

    public EndpointRouter route(HttpMethod method, String path, Endpoint endpoint) {
        exact.computeIfAbsent(path, p -> new HashMap<>()).put(method, endpoint);
        return this;
    }

    /** Routes every path that starts with {@code prefix} and has something after it. */
    public EndpointRouter routePrefix(HttpMethod method, String prefix, Endpoint endpoint) {
        prefixes.computeIfAbsent(prefix, p -> new HashMap<>()).put(method, endpoint);
        return this;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange exchange = Exchange.of(ctx.channel());
        String path = exchange.path();
        Map<HttpMethod, Endpoint> byMethod = match(path);
        if (byMethod == null) {
            request.release();
            Responses.sendError(ctx, ApiError.unknownPath(request.method().name(), path));
            return;
        }
        Endpoint endpoint = byMethod.get(request.method());
        if (endpoint == null) {
            request.release();
            ApiError notAllowed = ApiError.methodNotAllowed(request.method().name(), path);
            Responses.noteError(ctx, notAllowed);
            FullHttpResponse r = Responses.error(ctx.channel(), notAllowed);
            r.headers()
                    .set(
                            HttpHeaderNames.ALLOW,
                            byMethod.keySet().stream()
                                    .map(HttpMethod::name)
                                    .sorted()
                                    .collect(Collectors.joining(", ")));
            ctx.writeAndFlush(r);
            return;
        }
        try {
            endpoint.handle(ctx, request, exchange);
        } catch (RuntimeException e) {
            // A bug, not a bad input: the client still gets an OpenAI-shaped answer, never a trace.
            log.error(
                    "request {} failed inside {}",
                    exchange.requestId(),
                    endpoint.getClass().getSimpleName(),
                    e);
            if (request.refCnt() > 0) {
                request.release(request.refCnt());
            }
            Responses.sendErrorAndClose(
                    ctx,
                    new ApiError(
                            500,
                            ApiError.API_ERROR,
                            "internal_error",
                            null,
                            "The proxy failed to handle this request (request id " + exchange.requestId() + ")."),
                    exchange.requestId());
        }
    }

    private Map<HttpMethod, Endpoint> match(String path) {
        Map<HttpMethod, Endpoint> byMethod = exact.get(path);
        if (byMethod != null) {
            return byMethod;
        }
        for (Map.Entry<String, Map<HttpMethod, Endpoint>> e : prefixes.entrySet()) {
            if (path.length() > e.getKey().length() && path.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange exchange = Exchange.of(ctx.channel());
        if (exchange != null && exchange.listener() != null) {
            boolean mdc = ExchangeMdc.enter(exchange);
            try {
                exchange.listener().clientWritabilityChanged();
            } finally {
                ExchangeMdc.exit(mdc);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange exchange = Exchange.of(ctx.channel());
        if (exchange != null && exchange.listener() != null) {
            boolean mdc = ExchangeMdc.enter(exchange);
            try {
                exchange.listener().clientClosed();
            } finally {
                ExchangeMdc.exit(mdc);
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Client resets and write failures end up here; they are the client's business, not errors of ours.
        log.debug("client connection error: {}", cause.toString());
        ctx.close();
    }
}
