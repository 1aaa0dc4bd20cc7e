package io.aigw.server.http;

import io.aigw.core.error.ApiError;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
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
 *   <li>A request whose headers arrived must be complete within the request read timeout, or it gets
 *       a 408 and the connection is closed (slowloris guard).
 *   <li>A connection with no request in progress and no response pending is closed after the idle
 *       timeout; this also bounds a client that trickles header bytes and never finishes them.
 *   <li>While responses are pending (a long stream, say) no timer runs: upstream timeouts own that.
 * </ul>
 */
public final class RequestReadTimeoutHandler extends ChannelDuplexHandler {
    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private Future<?> timer;
    private boolean reading;
    private String readingRequestId;
    /** Requests begun whose final (non-1xx) response has not been written yet. */
    private int pendingResponses;

    public RequestReadTimeoutHandler(long readTimeoutNanos, long idleTimeoutNanos) {
        this.readTimeoutNanos = readTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            armIdle(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armIdle(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            reading = true;
            pendingResponses++;
            readingRequestId = RequestIds.of(request.headers());
            schedule(ctx, readTimeoutNanos, () -> onReadTimeout(ctx));
        }
        if (msg instanceof LastHttpContent && reading) {
            reading = false;
            cancel();
            armIdleIfQuiet(ctx);
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
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void onReadTimeout(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (pendingResponses > 1) {
            // A response is still being written for an earlier request; a 408 now would interleave.
            ctx.close();
            return;
        }
        Responses.sendErrorAndClose(ctx, ApiError.requestTimeout(), readingRequestId);
    }

    /**
     * A final response ends its request even if the body never came (a 413 answered on the headers,
     * a refused 100-continue): the request timer stops, and any body still sent is the aggregator's
     * to skip. A 100 Continue is not a final response and changes nothing here.
     */
    private void responseWritten(ChannelHandlerContext ctx) {
        pendingResponses = Math.max(0, pendingResponses - 1);
        if (reading && pendingResponses == 0) {
            reading = false;
            cancel();
        }
        armIdleIfQuiet(ctx);
    }

    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void armIdleIfQuiet(ChannelHandlerContext ctx) {
        if (!reading && pendingResponses == 0 && ctx.channel().isActive()) {
            armIdle(ctx);
        }
    }

    private void armIdle(ChannelHandlerContext ctx) {
        schedule(ctx, idleTimeoutNanos, ctx::close);
    }

    private void schedule(ChannelHandlerContext ctx, long nanos, Runnable task) {
        cancel();
        timer = ctx.executor().schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
