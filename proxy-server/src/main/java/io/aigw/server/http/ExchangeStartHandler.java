package io.aigw.server.http;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ClientApi;
import io.aigw.core.log.RequestLog;
import io.aigw.server.exchange.ExchangeCost;
import io.aigw.server.exchange.ExchangeListeners;
import io.aigw.server.exchange.ExchangeMdc;
import io.aigw.server.exchange.TraceContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Starts an {@link Exchange} for each complete request, after aggregation and before auth.
 *
 * <p>It stamps {@code x-request-id} on the response, and it runs exchanges one at a time: a client
 * that pipelines gets its later requests held here (a few at most) until the earlier response has
 * been written, so responses can never interleave. Requests the codec could not parse are answered
 * here, because nothing after this point can trust them.
 *
 * <p>It is where an exchange's lifecycle begins and ends for its listeners: {@code started} once the
 * request is read (with its trace context and config snapshot), {@code firstByteToClient} on the
 * first body byte written, and {@code completed} exactly once, when the last write of the answer is
 * handed on or the client leaves first.
 *
 * <p>With {@code durability: wal} it holds each answer's last write (and a close behind it) until
 * the exchange's record is on disk, then writes it on the channel's own event loop: a client never
 * has an answer the log could lose. The event loop does not wait meanwhile. The record is completed
 * (by {@link RequestLogListener}) before that last write, so it is whole when it reaches the WAL.
 */
public final class ExchangeStartHandler extends ChannelDuplexHandler {
    private static final int MAX_HELD_REQUESTS = 16;
    private static final ApiError MISSING_HOST =
            ApiError.badRequest("missing_host", null, "An HTTP/1.1 request must have a Host header.");
    /** The last event of a stream cut by a stop, as a provider failure mid-stream ends one. */
    static final ApiError STREAM_CUT =
            new ApiError(503, ApiError.API_ERROR, "shutdown", null, "The gateway is shutting down.");
    /** The answer to an exchange a stop cuts before anything of its answer was written. */
    static final ApiError SHUTTING_DOWN =
            ApiError.unavailable("shutting_down", "The gateway is shutting down; retry the request.");

    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    private static final AsciiString TRACESTATE = AsciiString.cached("tracestate");

    private final ArrayDeque<FullHttpRequest> held = new ArrayDeque<>();
    private final ActiveExchanges active;
    private final RecordCapture capture;
    private final boolean holdLast;
    private final ExchangeListeners listeners;
    private final ProxyConfig config;
    /** The newest runtime snapshot, read once per exchange; null: only the fixed {@code config}. */
    private final Supplier<? extends ExchangeRuntime> runtimes;

    private Exchange current;
    /** The current exchange's response head has been written. */
    private boolean responding;
    /** A last write waits for the WAL; a close asked for meanwhile waits behind it. */
    private boolean holding;

    private ChannelPromise heldClose;

    /** With the request log as the only listener and no config snapshot (for tests). */
    public ExchangeStartHandler(ActiveExchanges active, RequestLog requestLog) {
        this(active, requestLog, new ExchangeListeners(List.of(new RequestLogListener(requestLog))), null);
    }

    /** {@code listeners} must include the {@link RequestLogListener} of {@code requestLog}. */
    public ExchangeStartHandler(
            ActiveExchanges active, RequestLog requestLog, ExchangeListeners listeners, ProxyConfig config) {
        this(active, requestLog, listeners, config, null);
    }

    /** Each exchange takes the runtime {@code runtimes} gives when it starts, and keeps it. */
    public static ExchangeStartHandler withRuntimes(
            ActiveExchanges active,
            RequestLog requestLog,
            ExchangeListeners listeners,
            Supplier<? extends ExchangeRuntime> runtimes) {
        return new ExchangeStartHandler(active, requestLog, listeners, null, runtimes);
    }

    private ExchangeStartHandler(
            ActiveExchanges active,
            RequestLog requestLog,
            ExchangeListeners listeners,
            ProxyConfig config,
            Supplier<? extends ExchangeRuntime> runtimes) {
        this.active = active;
        this.capture = new RecordCapture(requestLog, runtimes);
        this.holdLast = requestLog.holdsAnswers();
        this.listeners = listeners;
        this.config = config;
        this.runtimes = runtimes;
    }

    ExchangeStartHandler() {
        this(new ActiveExchanges(), RequestLog.off(RequestLogConfig.defaults(java.nio.file.Path.of("."))));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (current != null) {
            if (held.size() >= MAX_HELD_REQUESTS) {
                request.release();
                ctx.close();
                return;
            }
            held.add(request);
            return;
        }
        start(ctx, request);
    }

    private void start(ChannelHandlerContext ctx, FullHttpRequest request) {
        String requestId = RequestIds.of(request.headers());
        DecoderResult decoded = request.decoderResult();
        if (!decoded.isSuccess()) {
            refuse(ctx, request, requestId, rawPath(request.uri()), malformed(decoded.cause()));
            return;
        }
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && !request.headers().contains(HttpHeaderNames.HOST)) {
            refuse(ctx, request, requestId, rawPath(request.uri()), MISSING_HOST); // RFC 9112 3.2: must be 400
            return;
        }
        String path = decodedPath(request.uri());
        if (path == null) {
            // Bad percent-encoding ("%zz", a trailing "%"): the client's fault, not an internal error.
            refuse(
                    ctx,
                    request,
                    requestId,
                    rawPath(request.uri()),
                    ApiError.badRequest("invalid_url", null, "The request URL is not validly percent-encoded."));
            return;
        }
        Exchange exchange = new Exchange(requestId, System.nanoTime(), request.method(), path);
        exchange.clientApi(ClientApi.ofPath(path)); // first: every answer from here on has the client's shape
        HttpHeaders h = request.headers();
        exchange.traceContext(TraceContext.of(h.get(TRACEPARENT), h.get(TRACESTATE)));
        if (runtimes != null) {
            exchange.runtime(runtimes.get()); // once: a reload from here on is for later exchanges
        } else {
            exchange.config(config);
        }
        current = exchange;
        responding = false;
        // Auth, routing and the endpoint run inside this call: one entry labels all their lines.
        boolean mdc = ExchangeMdc.enter(exchange);
        try {
            exchange.record(capture.start(exchange, request, ctx.channel()));
            active.started();
            ctx.channel().attr(Exchange.KEY).set(exchange);
            listeners.started(exchange);
            ctx.fireChannelRead(request);
        } finally {
            ExchangeMdc.exit(mdc);
        }
    }

    /** Answers a request that never becomes an exchange, and closes; its row is written all the same. */
    private void refuse(
            ChannelHandlerContext ctx, FullHttpRequest request, String requestId, String path, ApiError error) {
        capture.rejected(request, requestId, path, error, ctx.channel());
        request.release();
        Responses.sendErrorAndClose(ctx, error, requestId, ClientApi.ofPath(path));
    }

    /** The URL's decoded path, or null when its percent-encoding is invalid. */
    static String decodedPath(String uri) {
        if (isPlainPath(uri)) {
            return uri; // what the decoder would return, without making one per request
        }
        try {
            return new QueryStringDecoder(uri).path();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** No query, fragment or anything to decode ('%', and '+' which Netty decodes as a space). */
    private static boolean isPlainPath(String uri) {
        for (int i = 0, n = uri.length(); i < n; i++) {
            char c = uri.charAt(i);
            if (c == '%' || c == '+' || c == '?' || c == '#') {
                return false;
            }
        }
        return true;
    }

    /** A URL that does not decode, for the log: as sent, up to its query (which may hold secrets), bounded. */
    static String rawPath(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return path.length() > 512 ? path.substring(0, 512) : path;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof RequestRejected rejected) {
            String uri = rejected.request().uri();
            String path = Objects.requireNonNullElseGet(decodedPath(uri), () -> rawPath(uri));
            capture.rejected(rejected.request(), rejected.requestId(), path, rejected.error(), ctx.channel());
            return; // ours alone
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Exchange exchange = current;
        boolean mdc = ExchangeMdc.enter(exchange);
        try {
            write(ctx, msg, promise, exchange);
        } finally {
            ExchangeMdc.exit(mdc);
        }
    }

    private void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise, Exchange exchange) {
        if (exchange != null) {
            if (msg instanceof HttpResponse response) {
                response.headers().set(RequestIds.HEADER, exchange.requestId());
                if (exchange.admission() != null) {
                    exchange.admission().addHeaders(response.headers());
                }
                responding = true;
                exchange.statusCode(response.status().code());
            }
            if (exchange.record() != null) {
                capture.onWrite(exchange.record(), msg);
            }
            if (msg instanceof HttpContent content
                    && content.content().isReadable()
                    && exchange.firstByteToClientNanos() < 0) {
                exchange.firstByteToClient(System.nanoTime());
                listeners.firstByteToClient(exchange);
            }
            if (msg instanceof LastHttpContent && !exchange.isCompleted()) {
                promise = promise.unvoid();
                promise.addListener(f -> {
                    boolean entered = ExchangeMdc.enter(exchange);
                    try {
                        finished(ctx, exchange);
                    } finally {
                        ExchangeMdc.exit(entered);
                    }
                });
                if (holdLast && exchange.record() != null) {
                    holding = true;
                    ChannelPromise held = promise;
                    exchange.afterDurable(() -> release(ctx, msg, held));
                    complete(exchange); // the request log takes the record, and the release with it
                    if (exchange.afterDurable() == null) {
                        return;
                    }
                    exchange.afterDurable(null); // nobody took it (a listener failed): no wait
                    holding = false;
                    ctx.write(msg, held);
                    return;
                }
                complete(exchange);
            }
        }
        ctx.write(msg, promise);
    }

    /** The record is on disk (or cannot be): the held last write goes out, on the channel's event loop. */
    private void release(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (ctx.executor().inEventLoop()) {
            writeHeld(ctx, msg, promise);
            return;
        }
        try {
            ctx.executor().execute(() -> writeHeld(ctx, msg, promise));
        } catch (RejectedExecutionException e) {
            ReferenceCountUtil.release(msg); // the event loop is gone, and the connection with it
            promise.tryFailure(e);
        }
    }

    private void writeHeld(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        holding = false;
        ctx.writeAndFlush(msg, promise);
        ChannelPromise close = heldClose;
        if (close != null) {
            heldClose = null;
            ctx.close(close);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!holding) {
            ctx.close(promise);
        } else if (heldClose == null) {
            heldClose = promise; // after the held answer, not before it
        } else {
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        }
    }

    private void finished(ChannelHandlerContext ctx, Exchange exchange) {
        if (current != exchange) {
            return;
        }
        current = null;
        active.ended();
        ctx.channel().attr(Exchange.KEY).set(null);
        if (!held.isEmpty()) {
            // Later, not inline: this runs inside a write listener, possibly deep in the previous exchange.
            ctx.executor().execute(() -> startHeld(ctx));
        }
    }

    private void startHeld(ChannelHandlerContext ctx) {
        FullHttpRequest next = held.poll();
        if (next == null) {
            return;
        }
        if (!ctx.channel().isActive()) {
            next.release();
            releaseHeld();
            return;
        }
        start(ctx, next);
    }

    /**
     * A stop's grace ran out with an exchange still in flight on {@code channel}: it is ended on its
     * own loop, with an answer the client can tell from a network failure. Callable from any thread.
     */
    public static void cutForStop(Channel channel) {
        ChannelHandlerContext ctx = channel.pipeline().context(ExchangeStartHandler.class);
        if (ctx != null) {
            channel.eventLoop().execute(() -> ((ExchangeStartHandler) ctx.handler()).cut(ctx));
        }
    }

    private void cut(ChannelHandlerContext ctx) {
        Exchange exchange = current;
        if (exchange == null || !ctx.channel().isActive()) {
            return;
        }
        boolean mdc = ExchangeMdc.enter(exchange);
        try {
            cut(ctx, exchange);
        } finally {
            ExchangeMdc.exit(mdc);
        }
    }

    private void cut(ChannelHandlerContext ctx, Exchange exchange) {
        Exchange.ClientListener listener = exchange.listener();
        if (listener != null && listener.serverStopping(STREAM_CUT)) {
            return; // a stream: its error event is written
        }
        if (!responding) {
            exchange.failed(SHUTTING_DOWN);
            FullHttpResponse response = Responses.error(ctx.channel(), SHUTTING_DOWN);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            // Through the whole pipeline, this handler's write included: it is the exchange's answer.
            ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        Exchange left = current;
        boolean mdc = ExchangeMdc.enter(left);
        try {
            ctx.fireChannelInactive();
            if (left != null && current == left) {
                // The client left mid-exchange: it no longer holds a stop back.
                current = null;
                active.ended();
                if (!left.isCompleted()) {
                    left.clientClosed(true);
                    if (left.statusCode() == 0) {
                        left.statusCode(RecordCapture.CLIENT_CLOSED);
                    }
                    complete(left);
                }
            }
        } finally {
            ExchangeMdc.exit(mdc);
        }
    }

    /** Ends the exchange for its listeners, once: its status, usage, error and times are final here. */
    private void complete(Exchange exchange) {
        exchange.end(System.nanoTime());
        // Usage is final now: the cost is stated once, before anyone (log, metrics, spend) reads it.
        exchange.costUsd(ExchangeCost.of(exchange));
        listeners.completed(exchange);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        FullHttpRequest r;
        while ((r = held.poll()) != null) {
            r.release();
        }
    }

    private static ApiError malformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new ApiError(414, ApiError.INVALID_REQUEST, "uri_too_long", null, "The request line is too long.");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new ApiError(
                    431, ApiError.INVALID_REQUEST, "headers_too_large", null, "The request headers are too large.");
        }
        return ApiError.badRequest("malformed_http", null, "The HTTP request could not be parsed.");
    }
}
