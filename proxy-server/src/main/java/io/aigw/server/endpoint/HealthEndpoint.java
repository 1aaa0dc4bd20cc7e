package io.aigw.server.endpoint;

import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;

/** {@code GET /health}: liveness for load balancers and systemd; needs no key. */
public final class HealthEndpoint implements Endpoint {
    private static final byte[] OK = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        Responses.sendJson(ctx, 200, OK);
    }
}
