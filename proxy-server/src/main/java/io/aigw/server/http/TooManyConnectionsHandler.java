package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline of a connection over {@code server.max_connections} (or the per-address cap):
 * a 503 in OpenAI's shape at once, whatever the client sends, then close. Behind an HTTP encoder.
 *
 * <p>The request the client is sending meanwhile is read and dropped rather than left unread: a
 * socket closed with unread input sends a reset, which can destroy the 503 before the client reads
 * it. So the output is shut after the 503 and the connection closes when the client closes its side,
 * or after {@value #LINGER_MILLIS} ms at most.
 */
@Sharable
public final class TooManyConnectionsHandler extends ChannelInboundHandlerAdapter {
    static final long LINGER_MILLIS = 1000;
    public static final ApiError ERROR =
            ApiError.unavailable("too_many_connections", "The proxy has too many open connections; retry shortly.");

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        FullHttpResponse r = Responses.error(ctx.alloc(), ERROR);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        r.headers().set(RequestIds.HEADER, RequestIds.generate());
        ctx.writeAndFlush(r).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && f.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                f.channel().close();
            }
        });
        ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by the client, most likely: nothing to tell anyone
    }
}
