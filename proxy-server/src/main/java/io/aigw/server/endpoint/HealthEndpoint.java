package io.aigw.server.endpoint;

import io.aigw.core.error.ApiError;
import io.aigw.server.health.Lifecycle;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health}: liveness for load balancers and systemd; needs no key. 200 while the process
 * serves (starting included), 503 {@code shutting_down} once a stop has begun, with the connection
 * closed after it.
 */
public final class HealthEndpoint implements Endpoint {
    private static final byte[] OK = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
    private static final ApiError SHUTTING_DOWN =
            ApiError.unavailable("shutting_down", "The gateway is shutting down; retry the request.");

    private final Lifecycle lifecycle;

    public HealthEndpoint(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        if (lifecycle.phase() == Lifecycle.Phase.DRAINING) {
            Responses.sendErrorAndClose(ctx, SHUTTING_DOWN, exchange.requestId());
            return;
        }
        Responses.sendJson(ctx, 200, OK);
    }
}
