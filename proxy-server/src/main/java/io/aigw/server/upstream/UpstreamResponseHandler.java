package io.aigw.server.upstream;

import io.aigw.server.exchange.ExchangeMdc;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of a pooled upstream connection: hands every response object to the
 * {@link UpstreamCall} bound to the connection, and releases it afterwards (the call retains what it
 * keeps). A connection with no call bound is idle in the pool: anything arriving then is a protocol
 * error, and idleness past the pool's limit closes it.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
    private UpstreamCall call;
    private int uses;

    /** Binds the call; returns true if this connection had already served an earlier call. */
    boolean bind(UpstreamCall call) {
        this.call = call;
        return ++uses > 1;
    }

    void unbind() {
        call = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamCall c = call;
        if (c == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        boolean mdc = ExchangeMdc.enter(c.exchange());
        try {
            c.onUpstreamMessage(msg);
        } finally {
            ReferenceCountUtil.release(msg);
            ExchangeMdc.exit(mdc);
        }
    }

    /** Relayed stream chunks are written unflushed; the end of the read flushes them together. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamCall c = call;
        if (c != null) {
            c.onUpstreamReadComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamCall c = call;
        if (c != null) {
            boolean mdc = ExchangeMdc.enter(c.exchange());
            try {
                c.onUpstreamClosed();
            } finally {
                ExchangeMdc.exit(mdc);
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamCall c = call;
        if (c != null) {
            boolean mdc = ExchangeMdc.enter(c.exchange());
            try {
                c.onUpstreamError(cause);
            } finally {
                ExchangeMdc.exit(mdc);
            }
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && call == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
