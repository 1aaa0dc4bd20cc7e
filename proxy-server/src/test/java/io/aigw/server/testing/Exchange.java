package io.aigw.server.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;

/**
 * One request/response on a connection, as seen by a {@link Reply}. Every method must be called on
 * the channel's event loop; buffers are allocated only here, right before they are written, so a
 * write on a closed channel (which Netty fails and releases) is the only way they can go astray.
 */
final class Exchange {

    static final String DONE_EVENT = "data: [DONE]\n\n";

    final ChannelHandlerContext ctx;
    final boolean keepAlive;
    private final UpstreamHandler handler;

    /** Called on channelWritabilityChanged while this exchange is current; for back-pressured writers. */
    Runnable onWritabilityChanged;
    /** Set when we close the connection ourselves, so a stream can tell that apart from the peer closing. */
    boolean closingLocally;

    Exchange(ChannelHandlerContext ctx, boolean keepAlive, UpstreamHandler handler) {
        this.ctx = ctx;
        this.keepAlive = keepAlive;
        this.handler = handler;
    }

    void sendFull(int status, String contentType, String body, Map<String, String> extraHeaders) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse res =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        extraHeaders.forEach(res.headers()::set); // last, so a test can deliberately override framing
        HttpUtil.setKeepAlive(res, keepAlive);
        complete(ctx.writeAndFlush(res));
    }

    /** Sends 200 text/event-stream headers with chunked encoding; body follows via {@link #chunk}. */
    void startEventStream() {
        startStream("text/event-stream");
    }

    /** Sends 200 headers of {@code contentType} with chunked encoding; body follows via {@link #chunk}. */
    void startStream(String contentType) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(res, true);
        HttpUtil.setKeepAlive(res, keepAlive);
        ctx.writeAndFlush(res);
    }

    /** Writes {@code text} as its own HTTP chunk and flushes it. */
    ChannelFuture chunk(String text) {
        return ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), text)));
    }

    /** Writes the terminating chunk and finishes the exchange. */
    ChannelFuture endStream() {
        return complete(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
    }

    /** Closes the connection without finishing the response. */
    void closeNow() {
        closingLocally = true;
        onWritabilityChanged = null;
        ctx.close();
    }

    /** True if the connection is closing and neither this exchange nor TestUpstream.close() did it. */
    boolean closedByPeer() {
        return !closingLocally && !handler.upstreamClosing();
    }

    /** The response is fully written: free the connection for the next request or close it. */
    private ChannelFuture complete(ChannelFuture lastWrite) {
        onWritabilityChanged = null;
        handler.exchangeDone(this);
        if (!keepAlive) {
            closingLocally = true;
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
        return lastWrite;
    }
}
