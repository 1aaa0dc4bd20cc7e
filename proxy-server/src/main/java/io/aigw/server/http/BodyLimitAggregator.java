package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ClientApi;
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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.Supplier;

/**
 * Aggregates a request body up to the configured limit, answering a larger one with a 413 in
 * OpenAI's error shape instead of Netty's empty one. As in Netty's own handling, the connection is
 * kept when the excess can still be skipped (declared length, nothing sent yet) and closed otherwise.
 */
public final class BodyLimitAggregator extends HttpObjectAggregator {
    static final ApiError EXPECTATION_FAILED = new ApiError(
            417, ApiError.INVALID_REQUEST, "expectation_failed", null, "Only 'Expect: 100-continue' is supported.");

    private final long limit;
    /** The key check of the newest runtime (a request not yet an exchange has no runtime of its own). */
    private final Supplier<ApiKeyAuthHandler> auth;

    public BodyLimitAggregator(int maxBodyBytes) {
        this(maxBodyBytes, null);
    }

    /** @param auth gives the current key check, for a request that expects {@code 100-continue}; null: no check */
    public BodyLimitAggregator(int maxBodyBytes, Supplier<ApiKeyAuthHandler> auth) {
        super(maxBodyBytes, true); // close after a refused expectation (see newContinueResponse)
        this.limit = maxBodyBytes;
        this.auth = auth;
    }

    /**
     * Answers an {@code Expect} header before any body is read, each refusal in OpenAI's shape with
     * a request id (Netty's own are empty): an expectation other than {@code 100-continue} gets a
     * 417; a {@code 100-continue} gets a 401 when its key is bad (a client must not be invited to send
     * a body only to have it refused), or a 413 when its declared length is over the limit.
     * Otherwise Netty's 100 Continue. After a refusal here the connection is closed: a client may or
     * may not send the body anyway, so nothing that follows on the connection could be trusted to be
     * the next request rather than that body.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (!(start instanceof HttpRequest request)) {
            return super.newContinueResponse(start, maxContentLength, pipeline);
        }
        ApiError error = null;
        if (isUnsupportedExpectation(start)) {
            error = EXPECTATION_FAILED;
        } else if (HttpUtil.is100ContinueExpected(start)) {
            error = auth == null ? null : auth.get().check(pathOf(request.uri()), start.headers());
            if (error == null && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
                error = ApiError.bodyTooLarge(limit);
            }
        }
        if (error == null) {
            return super.newContinueResponse(start, maxContentLength, pipeline);
        }
        pipeline.fireUserEventTriggered(HttpExpectationFailedEvent.INSTANCE);
        start.headers().remove(HttpHeaderNames.EXPECT);
        String requestId = RequestIds.of(start.headers());
        pipeline.fireUserEventTriggered(new RequestRejected(request, requestId, error));
        FullHttpResponse response =
                Responses.error(pipeline.channel().alloc(), error, ClientApi.ofPath(pathOf(request.uri())));
        response.headers().set(RequestIds.HEADER, requestId);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /** As Netty's own (not public) check: Expect counts from HTTP/1.1 on, and only 100-continue is known. */
    private static boolean isUnsupportedExpectation(HttpMessage m) {
        String expect = m.headers().get(HttpHeaderNames.EXPECT);
        return expect != null
                && m.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    /** The decoded path, or the raw one when it does not decode (the 400 for that comes later). */
    private static String pathOf(String uri) {
        try {
            return new QueryStringDecoder(uri).path();
        } catch (IllegalArgumentException e) {
            return ExchangeStartHandler.rawPath(uri);
        }
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String requestId = RequestIds.of(oversized.headers());
        ApiError error = ApiError.bodyTooLarge(limit);
        if (oversized instanceof HttpRequest request) {
            ctx.fireUserEventTriggered(new RequestRejected(request, requestId, error));
        }
        ClientApi api = oversized instanceof HttpRequest r ? ClientApi.ofPath(pathOf(r.uri())) : ClientApi.OPENAI;
        FullHttpResponse response = Responses.error(ctx.alloc(), error, api);
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
