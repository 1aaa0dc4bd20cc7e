package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
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

    /**
     * A request that expects {@code 100-continue} with a declared length over the limit is refused
     * before {@link #handleOversizedMessage} would run, with Netty's empty 413; answer it in OpenAI's
     * shape instead. The aggregator then skips any body the client sends anyway (a 4xx here means
     * "ignore the content") and keeps the connection, as Netty does.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            pipeline.fireUserEventTriggered(HttpExpectationFailedEvent.INSTANCE);
            start.headers().remove(HttpHeaderNames.EXPECT);
            ApiError error = ApiError.bodyTooLarge(limit);
            String requestId = RequestIds.of(start.headers());
            if (start instanceof HttpRequest request) {
                pipeline.fireUserEventTriggered(new RequestRejected(request, requestId, error));
            }
            FullHttpResponse response = Responses.error(pipeline.channel().alloc(), error);
            response.headers().set(RequestIds.HEADER, requestId);
            return response;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String requestId = RequestIds.of(oversized.headers());
        ApiError error = ApiError.bodyTooLarge(limit);
        if (oversized instanceof HttpRequest request) {
            ctx.fireUserEventTriggered(new RequestRejected(request, requestId, error));
        }
        FullHttpResponse response = Responses.error(ctx.alloc(), error);
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
