package io.aigw.server.upstream;

import io.aigw.adapters.openai.OpenAiResponseTap;
import io.aigw.adapters.openai.OpenAiStreamTap;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.UpstreamSettings;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call to one provider for one client exchange, from acquiring a pooled connection to the last
 * byte written back. Everything runs on the client connection's event loop, which is also the
 * upstream connection's, so the state needs no locks.
 *
 * <p>Streaming answers are relayed as they arrive: the tap hands back retained slices of the
 * upstream buffers (no copy), and reading upstream pauses while the client cannot take more.
 * Other answers are aggregated (bounded) and written in one piece. Failures before anything reached
 * the client become an OpenAI error response; after that, an error event ends the stream.
 */
public final class UpstreamCall implements Exchange.ClientListener {
    private static final Logger log = LoggerFactory.getLogger(UpstreamCall.class);
    private enum State { ACQUIRING, AWAITING_RESPONSE, STREAMING, AGGREGATING, DONE }

    private final ChannelHandlerContext client;
    private final Exchange exchange;
    private final UpstreamClient upstreamClient;
    private final ProviderConfig provider;
    private final String modelId;
    private final ApiEndpoint endpoint;
    private final ByteBuf body;
    private final boolean stream;
    private final boolean dropUsageChunk;
    private final UpstreamSettings settings;
    private final List<ByteBuf> out = new ArrayList<>(4);

    private State state = State.ACQUIRING;
    private ChannelPool pool;
    private Channel upstream;
    private UpstreamResponseHandler handler;
    private boolean reusedConnection;
    private boolean retriedStale;
    private Future<?> totalTimer;
    private Future<?> responseTimer;
    private HttpResponse head;
    private boolean upstreamComplete;
    private boolean clientHeadersSent;
    private OpenAiStreamTap tap;
    private CompositeByteBuf aggregate;

    /** Takes ownership of {@code body}, the already rewritten upstream request body. */
    public UpstreamCall(ChannelHandlerContext client, Exchange exchange, UpstreamClient upstreamClient,
                        ProviderConfig provider, String modelId, ApiEndpoint endpoint, ByteBuf body,
                        boolean stream, boolean dropUsageChunk) {
        this.client = client;
        this.exchange = exchange;
        this.upstreamClient = upstreamClient;
        this.provider = provider;
        this.modelId = modelId;
        this.endpoint = endpoint;
        this.body = body;
        this.stream = stream;
        this.dropUsageChunk = dropUsageChunk;
        this.settings = provider.upstream();
    }

    public void start() {
        exchange.listener(this);
        totalTimer = schedule(settings.totalTimeout(), () -> fail(ApiError.gatewayTimeout(
                "Provider '" + provider.name() + "' did not finish within " + millis(settings.totalTimeout()) + ".")));
        pool = upstreamClient.pool(client.channel().eventLoop(), provider);
        acquire();
    }

    private void acquire() {
        pool.acquire().addListener((Future<Channel> f) -> onAcquired(f));
    }

    private void onAcquired(Future<Channel> acquired) {
        if (!acquired.isSuccess()) {
            fail(UpstreamFailures.of(acquired.cause(), provider.name()), acquired.cause());
            return;
        }
        Channel ch = acquired.getNow();
        if (state == State.DONE) {
            pool.release(ch);
            return;
        }
        upstream = ch;
        handler = ch.pipeline().get(UpstreamResponseHandler.class);
        reusedConnection = handler.bind(this);
        state = State.AWAITING_RESPONSE;
        responseTimer = schedule(settings.firstByteTimeout(), () -> fail(ApiError.gatewayTimeout(
                "Provider '" + provider.name() + "' sent no response within "
                        + millis(settings.firstByteTimeout()) + ".")));
        ch.writeAndFlush(UpstreamRequest.build(provider, endpoint, body.retainedDuplicate(), stream,
                exchange.requestId())).addListener(w -> {
                    if (!w.isSuccess()) {
                        onUpstreamError(w.cause());
                    }
                });
    }

    void onUpstreamMessage(Object msg) {
        if (state == State.DONE || state == State.ACQUIRING) {
            return;
        }
        if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
            fail(ApiError.badGateway("upstream_protocol_error",
                    "Provider '" + provider.name() + "' sent an invalid HTTP response."));
            return;
        }
        if (msg instanceof HttpResponse response) {
            onHead(response);
        }
        if (msg instanceof HttpContent content && (state == State.STREAMING || state == State.AGGREGATING)) {
            onContent(content);
        }
    }

    private void onHead(HttpResponse response) {
        if (state != State.AWAITING_RESPONSE) {
            return;
        }
        head = response;
        int status = response.status().code();
        if (stream && status == 200 && isEventStream(response.headers())) {
            state = State.STREAMING;
            tap = new OpenAiStreamTap(dropUsageChunk);
            // Headers go out now, as OpenAI's own do: a client waiting for them must not wait for the first token.
            sendClientHeadersIfNeeded();
            client.flush();
        } else {
            long declared = HttpUtil.getContentLength(response, -1L);
            if (declared > settings.maxResponseBytes()) {
                fail(tooLarge());
                return;
            }
            state = State.AGGREGATING;
            aggregate = client.alloc().compositeBuffer(64);
        }
        armIdle();
    }

    private void onContent(HttpContent content) {
        armIdle();
        ByteBuf data = content.content();
        if (state == State.STREAMING) {
            relay(data);
        } else if (data.isReadable()) {
            if ((long) aggregate.readableBytes() + data.readableBytes() > settings.maxResponseBytes()) {
                fail(tooLarge());
                return;
            }
            aggregate.addComponent(true, data.retain());
        }
        if (state != State.DONE && content instanceof LastHttpContent) {
            upstreamComplete = true;
            if (state == State.STREAMING) {
                endStream();
            } else {
                respondAggregated();
            }
        }
    }

    private void relay(ByteBuf data) {
        if (!data.isReadable()) {
            return;
        }
        tap.onChunk(data, out);
        if (out.isEmpty()) {
            return;
        }
        writeOut();
        client.flush();
        if (!client.channel().isWritable()) {
            upstream.config().setAutoRead(false);
        }
    }

    /** One HTTP chunk per upstream read: several slices are wrapped (not copied) into one buffer. */
    private void writeOut() {
        sendClientHeadersIfNeeded();
        if (out.isEmpty()) {
            return;
        }
        ByteBuf chunk = out.size() == 1 ? out.get(0) : Unpooled.wrappedBuffer(out.toArray(new ByteBuf[0]));
        out.clear();
        client.write(new DefaultHttpContent(chunk), client.voidPromise());
    }

    private void endStream() {
        tap.onEnd(out);
        writeOut();
        client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        finish(true);
    }

    private void respondAggregated() {
        ByteBuf responseBody = aggregate;
        aggregate = null;
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/json");
        int status = head.status().code();
        if (status >= 400 && !OpenAiResponseTap.read(responseBody).error()) {
            // Every error a client sees is OpenAI-shaped, even when a CDN in front of the provider wrote it.
            responseBody.release();
            ApiError wrapped = new ApiError(status, status >= 500 ? ApiError.API_ERROR : ApiError.INVALID_REQUEST,
                    "upstream_error", null, "Provider '" + provider.name() + "' answered HTTP " + status + ".");
            responseBody = client.alloc().buffer().writeBytes(wrapped.toJsonBytes());
            contentType = "application/json";
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), responseBody);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, responseBody.readableBytes());
        addProxyHeaders(h);
        client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        finish(true);
    }

    private void sendClientHeadersIfNeeded() {
        if (clientHeadersSent) {
            return;
        }
        clientHeadersSent = true;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, head.headers().get(HttpHeaderNames.CONTENT_TYPE));
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        addProxyHeaders(h);
        client.write(response, client.voidPromise());
    }

    private void addProxyHeaders(HttpHeaders h) {
        if (head != null) {
            ResponseHeaders.copy(head.headers(), h);
        }
        h.set("x-proxy-provider", provider.name());
        h.set("x-proxy-model", modelId);
    }

    void onUpstreamClosed() {
        if (state == State.DONE) {
            return;
        }
        if (retryOnFreshConnection()) {
            return;
        }
        fail(UpstreamFailures.closedEarly(provider.name()));
    }

    void onUpstreamError(Throwable cause) {
        if (state == State.DONE) {
            return;
        }
        if (retryOnFreshConnection()) {
            return;
        }
        fail(UpstreamFailures.of(cause, provider.name()), cause);
    }

    /**
     * A pooled connection the provider closed while it sat idle fails the first write or read. The
     * request never reached the provider then, so it is sent once more on a new connection.
     */
    private boolean retryOnFreshConnection() {
        if (state != State.AWAITING_RESPONSE || !reusedConnection || retriedStale) {
            return false;
        }
        retriedStale = true;
        cancel(responseTimer);
        releaseUpstream(false);
        state = State.ACQUIRING;
        acquire();
        return true;
    }

    private void fail(ApiError error) {
        fail(error, null);
    }

    private void fail(ApiError error, Throwable cause) {
        if (state == State.DONE) {
            return;
        }
        // The operator sees what the client cannot: the underlying cause (never a key: none is in it).
        log.warn("request {}: provider {} failed ({}): {}{}", exchange.requestId(), provider.name(), error.code(),
                error.message(), cause == null ? "" : " cause: " + cause);
        if (!clientHeadersSent) {
            FullHttpResponse response = Responses.error(client.alloc(), error);
            addProxyHeaders(response.headers());
            client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            // Status 200 is already on the wire: the SDKs raise an APIError for a data event holding "error".
            byte[] json = error.toJsonBytes();
            ByteBuf event = client.alloc().buffer(json.length + 8);
            event.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII)).writeBytes(json)
                    .writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
            client.write(new DefaultLastHttpContent(event), client.newPromise())
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            client.flush();
        }
        finish(false);
    }

    @Override
    public void clientWritabilityChanged() {
        if (state == State.STREAMING && upstream != null && client.channel().isWritable()) {
            upstream.config().setAutoRead(true);
        }
    }

    @Override
    public void clientClosed() {
        if (state != State.DONE) {
            finish(false);
        }
    }

    private void finish(boolean reuseUpstream) {
        state = State.DONE;
        cancel(totalTimer);
        cancel(responseTimer);
        if (exchange.listener() == this) {
            exchange.listener(null);
        }
        if (tap != null) {
            tap.close();
        }
        if (aggregate != null) {
            aggregate.release();
            aggregate = null;
        }
        for (ByteBuf b : out) {
            b.release();
        }
        out.clear();
        body.release();
        releaseUpstream(reuseUpstream && upstreamComplete && HttpUtil.isKeepAlive(head));
    }

    /** Returns the connection to the pool, closed unless it is clean and reusable. */
    private void releaseUpstream(boolean reusable) {
        Channel ch = upstream;
        if (ch == null) {
            return;
        }
        upstream = null;
        handler.unbind();
        if (!reusable) {
            ch.close();
        }
        pool.release(ch);
    }

    private void armIdle() {
        cancel(responseTimer);
        responseTimer = schedule(settings.idleTimeout(), () -> fail(ApiError.gatewayTimeout(
                "Provider '" + provider.name() + "' sent nothing for " + millis(settings.idleTimeout()) + ".")));
    }

    private Future<?> schedule(Duration delay, Runnable task) {
        return client.executor().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void cancel(Future<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private ApiError tooLarge() {
        return ApiError.badGateway("upstream_response_too_large", "Provider '" + provider.name()
                + "' sent a response larger than " + settings.maxResponseBytes() + " bytes.");
    }

    private static boolean isEventStream(HttpHeaders headers) {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }
}
