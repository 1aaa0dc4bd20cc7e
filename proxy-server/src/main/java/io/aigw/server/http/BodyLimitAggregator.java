package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates a request body up to the configured limit, answering a larger one with a 413 in
 * OpenAI's error shape instead of Netty's empty one. As in Netty's own handling, the connection is
 * kept when the excess can still be skipped (declared length, nothing sent yet) and closed otherwise.
 */
public final class BodyLimitAggregator extends HttpObjectAggregator {
    private final long limit;

    public BodyLimitAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
        this.limit = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String requestId = RequestIds.of(oversized.headers());
        FullHttpResponse response = Responses.error(ctx.alloc(), ApiError.bodyTooLarge(limit));
        response.headers().set(RequestIds.HEADER, requestId);
        boolean close = oversized instanceof FullHttpMessage
                || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
