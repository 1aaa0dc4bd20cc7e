package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Guards the client connection while the proxy is waiting for bytes from the client; sits right
 * after the keep-alive handler, before aggregation.
 *
 * <ul>
 *   <li>A request must be complete within the request read timeout from its first byte, head
 *       included, or it gets a 408 and the connection is closed (slowloris guard). The first byte is
 *       seen by {@link #headWatch()}, which sits before the HTTP codec: the codec passes nothing on
 *       until a head is complete, so a head trickled a byte at a time would otherwise be bounded
 *       only by the idle timeout.
 *   <li>A connection with no request in progress and no response pending is closed after the idle
 *       timeout.
 *   <li>While responses are pending (a long stream, say) nothing expires: upstream timeouts own that.
 * </ul>
 *
 * <p>Requests only note when they start and end; one timer per connection checks those notes and
 * re-arms itself when it fires (as IdleStateHandler does), so a keep-alive request schedules and
 * cancels nothing.
 */
public final class RequestReadTimeoutHandler extends ChannelDuplexHandler {
    private enum Mode {
        IDLE,
        READING,
        RESPONDING
    }

    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long tickNanos;
    private Future<?> timer;
    private Mode mode = Mode.IDLE;
    private long modeSince;
    private String readingRequestId;
    /** Requests begun whose final (non-1xx) response has not been written yet. */
    private int pendingResponses;

    private final ChannelInboundHandlerAdapter headWatch = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && startsRequest(bytes)) {
                headBytesArrived(ctx);
            }
            ctx.fireChannelRead(msg);
        }
    };

    public RequestReadTimeoutHandler(long readTimeoutNanos, long idleTimeoutNanos) {
        this.readTimeoutNanos = readTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.tickNanos = Math.min(readTimeoutNanos, idleTimeoutNanos);
    }

    /**
     * The handler to put before the HTTP codec, on the same channel: raw bytes arriving while the
     * connection is idle are the start of a request head, and start the request clock.
     */
    public ChannelHandler headWatch() {
        return headWatch;
    }

    /** Line breaks alone between requests (some clients add one after a body) are skipped by the codec. */
    private static boolean startsRequest(ByteBuf bytes) {
        return bytes.forEachByte(b -> b == '\r' || b == '\n') != -1;
    }

    /**
     * Only an idle connection starts a request here: bytes that come while a response is pending
     * are a pipelined request, whose clock starts when its head is decoded, as before.
     */
    private void headBytesArrived(ChannelHandlerContext ctx) {
        if (mode == Mode.IDLE && pendingResponses == 0) {
            readingRequestId = null;
            enter(ctx, Mode.READING);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            pendingResponses++;
            readingRequestId = RequestIds.of(request.headers());
            if (mode != Mode.READING) {
                enter(ctx, Mode.READING);
            } // else its head's first byte started the clock
        }
        if (msg instanceof LastHttpContent && mode == Mode.READING) {
            enterIdleIfQuiet(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !isInformational(msg)) {
            promise = promise.unvoid();
            promise.addListener(f -> responseWritten(ctx));
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    /**
     * A final response ends its request even if the body never came (a 413 answered on the headers,
     * a refused 100-continue): the request clock stops, and any body still sent is the aggregator's
     * to skip. A 100 Continue is not a final response and changes nothing here.
     */
    private void responseWritten(ChannelHandlerContext ctx) {
        pendingResponses = Math.max(0, pendingResponses - 1);
        if (mode != Mode.READING || pendingResponses == 0) {
            enterIdleIfQuiet(ctx);
        }
    }

    private void enterIdleIfQuiet(ChannelHandlerContext ctx) {
        enter(ctx, pendingResponses == 0 ? Mode.IDLE : Mode.RESPONDING);
    }

    private void enter(ChannelHandlerContext ctx, Mode next) {
        mode = next;
        modeSince = ctx.executor().ticker().nanoTime();
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer == null) {
            enter(ctx, Mode.IDLE);
            schedule(ctx, tickNanos);
        }
    }

    private void onTimer(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long elapsed = ctx.executor().ticker().nanoTime() - modeSince;
        if (mode == Mode.READING && elapsed >= readTimeoutNanos) {
            onReadTimeout(ctx);
            return;
        }
        if (mode == Mode.IDLE && elapsed >= idleTimeoutNanos) {
            ctx.close();
            return;
        }
        long left = mode == Mode.READING
                ? readTimeoutNanos - elapsed
                : mode == Mode.IDLE ? idleTimeoutNanos - elapsed : tickNanos;
        // Never sleep past a request that may start meanwhile: a tick at most.
        schedule(ctx, Math.min(left, tickNanos));
    }

    private void onReadTimeout(ChannelHandlerContext ctx) {
        if (pendingResponses > 1) {
            // A response is still being written for an earlier request; a 408 now would interleave.
            ctx.close();
            return;
        }
        // No id yet when the head itself never completed: the answer gets one all the same.
        String requestId = readingRequestId != null ? readingRequestId : RequestIds.generate();
        Responses.sendErrorAndClose(ctx, ApiError.requestTimeout(), requestId);
    }

    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void schedule(ChannelHandlerContext ctx, long nanos) {
        timer = ctx.executor().schedule(() -> onTimer(ctx), nanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
