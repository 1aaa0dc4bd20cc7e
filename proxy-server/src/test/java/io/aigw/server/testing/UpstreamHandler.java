package io.aigw.server.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Map;

/**
 * Per-connection handler: records each aggregated request and hands the connection to the next
 * {@link Reply}. SimpleChannelInboundHandler releases the request after channelRead0.
 */
final class UpstreamHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final TestUpstream upstream;
    private Exchange current; // event-loop confined

    UpstreamHandler(TestUpstream upstream) {
        this.upstream = upstream;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        Exchange ex = new Exchange(
                ctx, HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess(), this);
        current = ex;
        if (!req.decoderResult().isSuccess()) {
            ex.sendFull(400, "text/plain", "bad request: " + req.decoderResult().cause(), Map.of());
            return;
        }
        upstream.replyFor(RecordedRequest.copyOf(req)).start(ex);
    }

    boolean upstreamClosing() {
        return upstream.isClosing();
    }

    void exchangeDone(Exchange ex) {
        if (current == ex) {
            current = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange ex = current;
        if (ex != null && ex.onWritabilityChanged != null) {
            ex.onWritabilityChanged.run();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets, TLS alerts from clients that refuse our cert, etc.: nothing to answer, just close.
        ctx.close();
    }
}
