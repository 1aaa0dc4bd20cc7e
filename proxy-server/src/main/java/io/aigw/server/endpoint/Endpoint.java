package io.aigw.server.endpoint;

import io.aigw.server.http.Exchange;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/** What the router dispatches to. Runs on the client connection's event loop and must not block. */
public interface Endpoint {
    /**
     * Handles one request and writes exactly one response for it (ending with a LastHttpContent).
     * Takes ownership of {@code request}: it must be released on every path.
     */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange);
}
