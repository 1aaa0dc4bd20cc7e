package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ClientApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
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

    /** The error in OpenAI's shape (for a request no exchange or path speaks for: use the others). */
    public static FullHttpResponse error(ByteBufAllocator alloc, ApiError error) {
        return json(alloc, error.status(), error.toJsonBytes());
    }

    /** The error in {@code api}'s shape. */
    public static FullHttpResponse error(ByteBufAllocator alloc, ApiError error, ClientApi api) {
        return json(alloc, error.status(), error.toJsonBytes(api));
    }

    /** The error in the shape of the API the connection's exchange speaks (OpenAI's when there is none). */
    public static FullHttpResponse error(Channel channel, ApiError error) {
        return error(channel.alloc(), error, clientApi(channel));
    }

    /** The API of the connection's exchange in progress, OpenAI's when there is none. */
    public static ClientApi clientApi(Channel channel) {
        Exchange exchange = Exchange.of(channel);
        return exchange != null ? exchange.clientApi() : ClientApi.OPENAI;
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
        ctx.writeAndFlush(error(ctx.channel(), error)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Sends the error with {@code Connection: close} and closes once it is written. */
    public static void sendErrorAndClose(ChannelHandlerContext ctx, ApiError error, String requestId) {
        sendErrorAndClose(ctx, error, requestId, clientApi(ctx.channel()));
    }

    /** As above, in {@code api}'s shape (a request refused before its exchange started: by its path). */
    public static void sendErrorAndClose(ChannelHandlerContext ctx, ApiError error, String requestId, ClientApi api) {
        noteError(ctx, error);
        FullHttpResponse r = error(ctx.alloc(), error, api);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (requestId != null) {
            r.headers().set(RequestIds.HEADER, requestId);
        }
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
