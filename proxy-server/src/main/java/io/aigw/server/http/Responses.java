package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Builds and sends complete JSON responses; every client-visible error goes through here. */
public final class Responses {
    private static final HttpHeadersFactory HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private Responses() {}

    public static FullHttpResponse json(ByteBufAllocator alloc, int status, byte[] body) {
        ByteBuf content = alloc.buffer(body.length).writeBytes(body);
        return json(status, content);
    }

    /**
     * Header maps for responses the proxy builds itself: every name and value is ours or was checked
     * on the way in, so Netty's per-character validation is skipped (it showed in profiles).
     */
    public static HttpHeaders newHeaders() {
        return HEADERS.newHeaders();
    }

    /** A full response with unvalidated headers and no trailer map; takes ownership of {@code content}. */
    public static FullHttpResponse full(HttpResponseStatus status, ByteBuf content) {
        return new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, content, newHeaders(), EmptyHttpHeaders.INSTANCE);
    }

    /** Takes ownership of {@code content}. */
    public static FullHttpResponse json(int status, ByteBuf content) {
        FullHttpResponse r = full(HttpResponseStatus.valueOf(status), content);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return r;
    }

    public static FullHttpResponse error(ByteBufAllocator alloc, ApiError error) {
        return json(alloc, error.status(), error.toJsonBytes());
    }

    public static void sendJson(ChannelHandlerContext ctx, int status, byte[] body) {
        ctx.writeAndFlush(json(ctx.alloc(), status, body)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** The exchange in progress on the connection, if any, knows the error its client is given. */
    public static void noteError(ChannelHandlerContext ctx, ApiError error) {
        Exchange exchange = Exchange.of(ctx.channel());
        if (exchange != null) {
            exchange.error(error);
        }
    }

    /** Sends the error and keeps the connection for the next request (keep-alive rules permitting). */
    public static void sendError(ChannelHandlerContext ctx, ApiError error) {
        noteError(ctx, error);
        ctx.writeAndFlush(error(ctx.alloc(), error)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Sends the error with {@code Connection: close} and closes once it is written. */
    public static void sendErrorAndClose(ChannelHandlerContext ctx, ApiError error, String requestId) {
        noteError(ctx, error);
        FullHttpResponse r = error(ctx.alloc(), error);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (requestId != null) {
            r.headers().set(RequestIds.HEADER, requestId);
        }
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
