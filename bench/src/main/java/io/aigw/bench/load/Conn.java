package io.aigw.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * One keep-alive client connection of the load driver: writes the pre-encoded request, follows the
 * decoded response (status, first body byte, SSE events, end) and reports to its mode's {@link Events}.
 * All fields are touched only on the channel's event loop.
 */
final class Conn extends ChannelInboundHandlerAdapter {

    /** Callbacks from connections to the running mode; called on the connection's event loop. */
    interface Events {
        void connected(Conn c);

        /** The response ended (LastHttpContent): {@link #status}, {@link #sse} and timings are final. */
        void responseDone(Conn c, long now);

        /** The channel closed; {@code wasInFlight} when a response was still expected. */
        void closed(Conn c, boolean wasInFlight, long now);

        /** {@link #send} found the channel already closed; {@code base} is the request's latency base. */
        void sendFailed(Conn c, long base);
    }

    private final ByteBuf request;
    private final Events events;
    /** Null unless the mode counts SSE events. */
    final SseEventCounter sse;

    Channel ch;
    boolean inFlight;
    /** Latency is measured from here: the intended send time (rate mode) or the actual one. */
    long base;

    long sentAt;
    /** Zero until the first body byte after the response head. */
    long firstByteAt;

    int status;
    /** The server said {@code Connection: close}: the connection is not reused. */
    boolean closeAfter;
    /** Mode-private flag (hold mode: the stream has been accounted for). */
    boolean finished;

    private boolean informational;

    Conn(ByteBuf request, Events events, boolean countSse) {
        this.request = request;
        this.events = events;
        this.sse = countSse ? new SseEventCounter() : null;
    }

    /** Sends the request; must run on the event loop. */
    void send(long base) {
        if (!ch.isActive()) {
            inFlight = false;
            events.sendFailed(this, base);
            return;
        }
        inFlight = true;
        this.base = base;
        sentAt = System.nanoTime();
        firstByteAt = 0;
        status = 0;
        closeAfter = false;
        informational = false;
        if (sse != null) {
            sse.reset();
        }
        ch.writeAndFlush(request.retainedDuplicate(), ch.voidPromise());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ch = ctx.channel();
        events.connected(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!inFlight) {
                return;
            }
            if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
                informational = status >= 100 && status < 200 && status != 101;
                closeAfter = !HttpUtil.isKeepAlive(r);
            }
            if (msg instanceof HttpContent c) {
                if (informational) {
                    if (msg instanceof LastHttpContent) {
                        informational = false;
                    }
                    return;
                }
                ByteBuf b = c.content();
                if (b.isReadable()) {
                    if (firstByteAt == 0) {
                        firstByteAt = System.nanoTime();
                    }
                    if (sse != null) {
                        sse.feed(b);
                    }
                }
                if (msg instanceof LastHttpContent) {
                    inFlight = false;
                    boolean close = closeAfter;
                    events.responseDone(this, System.nanoTime());
                    if (close) {
                        ctx.close();
                    }
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        boolean was = inFlight;
        inFlight = false;
        events.closed(this, was, System.nanoTime());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
