package io.aigw.server.upstream;

import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.UpstreamSettings;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.FailureClass;
import io.aigw.core.routing.KeyPool;
import io.aigw.core.routing.RetryAfter;
import io.aigw.core.routing.RouteSelector;
import io.aigw.server.dialect.DialectCall;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeListeners;
import io.aigw.server.exchange.ExchangeMdc;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.exchange.TraceIds;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.trace.CapturedContent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call to one provider for one client exchange, from acquiring a pooled connection to the last
 * byte written back. Everything runs on the client connection's event loop, which is also the
 * upstream connection's, so the state needs no locks.
 *
 * <p>Streams go through a {@link StreamRelay}; reading upstream pauses while the client cannot take
 * more (and the idle timer with it: a slow client is not the provider's fault). Other answers go
 * through a {@link ResponseAggregator}. A failure before anything reached the client becomes an
 * OpenAI error response; after that, an error event ends the stream.
 *
 * <p>The call is one {@link Attempt} of its exchange: it marks the attempt's moments as they happen
 * and ends it exactly once, before the client hears the outcome (so {@code attemptEnded} always
 * comes before the exchange's {@code completed}).
 */
public final class UpstreamCall implements Exchange.ClientListener, LoopPool.Waiter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamCall.class);

    private enum State {
        ACQUIRING,
        AWAITING_RESPONSE,
        STREAMING,
        AGGREGATING,
        DONE
    }

    /** What the routing layer hears about this attempt; every call ends in exactly one of failedOver or ended. */
    public interface Outcome {
        /**
         * Nothing reached the client yet and the provider failed (transport, timeout, protocol, or a
         * retryable status), as {@code failure} says; true if another attempt takes over, in which case
         * this call writes nothing.
         */
        boolean failedOver(ApiError error, FailureClass failure, int upstreamStatus, long retryAfterNanos);

        /** The provider's response head arrived this long after the call started (for latency routing). */
        void firstByte(long ttfbNanos);

        /** The client starts getting this attempt's answer: from here on there is no failover. */
        void responding();

        /** The provider answered (an error of the client's own counts as an answer). */
        void succeeded();

        /** The provider failed after the client got the first bytes: too late to move on. */
        void failedAfterStart();

        /** The call is over and was not handed over. */
        void ended();
    }

    private final ChannelHandlerContext client;
    private final Exchange exchange;
    private final UpstreamClient upstreamClient;
    private final ProviderConfig provider;
    private final String modelId;
    private final ApiEndpoint endpoint;
    private final DialectCall call;
    private final Outcome outcome;
    private final Attempt attempt;
    private final ExchangeListeners listeners;
    private final KeyPool.Key key;
    /** The whole request's deadline (all attempts), which may come before this call's own total timeout. */
    private final long requestDeadlineNanos;

    private boolean handedOver;
    /** The failure is the gateway's, not the provider's: no other attempt. */
    private boolean noFailover;

    private final ByteBuf body;
    private final boolean stream;
    private final UpstreamSettings settings;

    private State state = State.ACQUIRING;
    private long startNanos;
    private LoopPool pool;
    private Channel upstream;
    private UpstreamResponseHandler handler;
    private boolean reusedConnection;
    private boolean requestWritten;
    private boolean retriedUnsent;
    private boolean skippingInformational;
    private boolean paused;
    /** One timer per call, re-armed only when it fires (activity just moves a deadline). */
    private Future<?> timer;

    private long timerDueNanos;
    /** The timer's task, made once per call rather than per arming (every call arms at least once). */
    private final Runnable timerTask = () -> guarded(this::onTimer);

    private long totalDeadlineNanos;
    private long responseClockNanos;
    private long responseTimeoutNanos;
    private HttpResponse head;
    private boolean upstreamComplete;
    private StreamRelay relay;
    private ResponseAggregator aggregator;

    /** Takes ownership of the prepared call's body. */
    public UpstreamCall(
            ChannelHandlerContext client,
            Exchange exchange,
            UpstreamClient upstreamClient,
            ProviderConfig provider,
            String modelId,
            ApiEndpoint endpoint,
            DialectCall call,
            Outcome outcome,
            Attempt attempt,
            KeyPool.Key key,
            long requestDeadlineNanos) {
        this.client = client;
        this.exchange = exchange;
        this.upstreamClient = upstreamClient;
        this.provider = provider;
        this.modelId = modelId;
        this.endpoint = endpoint;
        this.call = call;
        this.outcome = outcome;
        this.attempt = attempt;
        this.listeners = upstreamClient.listeners();
        this.key = key;
        this.requestDeadlineNanos = requestDeadlineNanos;
        this.body = call.body();
        this.stream = call.stream();
        this.settings = provider.upstream();
    }

    /** The exchange the call serves (its ids label the connection's log lines). */
    Exchange exchange() {
        return exchange;
    }

    /** Starts the call; waiting for a connection is bounded by the pool's acquire timeout. */
    public void start() {
        exchange.listener(this);
        startNanos = attempt.startNanos();
        exchange.addAttempt(attempt);
        listeners.attemptStarted(exchange, attempt);
        long ownDeadline = startNanos + settings.totalTimeout().toNanos();
        totalDeadlineNanos = ownDeadline - requestDeadlineNanos > 0 ? requestDeadlineNanos : ownDeadline;
        guarded(() -> {
            pool = upstreamClient.pool(client.channel().eventLoop(), provider);
            acquire();
        });
    }

    /** An idle connection comes back at once, within this call; otherwise later, on this loop. */
    private void acquire() {
        pool.acquire(this);
    }

    /** The pool's answer to {@link #acquire}; not for other callers. */
    @Override
    public void connectionAcquired(Channel ch) {
        guarded(() -> onAcquired(ch));
    }

    /** The pool's answer to {@link #acquire}: no connection (connect failed, queue full, timed out). */
    @Override
    public void connectionFailed(Throwable cause) {
        guarded(() -> fail(FailureClass.CONNECT_ERROR, UpstreamFailures.of(cause, provider.name()), cause));
    }

    private void onAcquired(Channel ch) {
        if (state == State.DONE) {
            pool.release(ch);
            return;
        }
        upstream = ch;
        attempt.connectionAcquired(System.nanoTime());
        handler = ch.pipeline().get(UpstreamResponseHandler.class);
        reusedConnection = handler.bind(this);
        requestWritten = false;
        state = State.AWAITING_RESPONSE;
        restartResponseClock(settings.firstByteTimeout());
        ch.writeAndFlush(upstreamClient
                        .requests(provider)
                        .build(
                                ch.alloc(),
                                call,
                                endpoint,
                                modelId,
                                body.retainedDuplicate(),
                                stream,
                                exchange.requestId(),
                                key,
                                traceparent(),
                                tracestate()))
                .addListener(w -> {
                    if (ch != upstream) {
                        return; // an abandoned connection's late news
                    }
                    if (w.isSuccess()) {
                        requestWritten = true;
                        attempt.requestWritten(System.nanoTime());
                    } else {
                        onUpstreamError(w.cause());
                    }
                });
    }

    /**
     * This attempt's {@code traceparent}: the exchange's trace and the attempt's span id (its CLIENT
     * span's when tracing is on), so a provider that traces hangs its spans under the attempt.
     */
    private String traceparent() {
        TraceContext trace = exchange.traceContext();
        if (trace == null) {
            return null;
        }
        return TraceIds.traceparent(trace, attempt.spanId());
    }

    /** The client's {@code tracestate}, passed on unchanged (it belongs to the trace, not to us). */
    private String tracestate() {
        TraceContext trace = exchange.traceContext();
        return trace == null ? null : trace.traceState();
    }

    void onUpstreamMessage(Object msg) {
        if (state == State.DONE || state == State.ACQUIRING) {
            return;
        }
        guarded(() -> dispatch(msg));
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
            Throwable cause = o.decoderResult().cause();
            if (cause instanceof PrematureChannelClosureException) {
                fail(cutOrUnsent(), UpstreamFailures.closedEarly(provider.name()), cause);
            } else {
                fail(
                        FailureClass.PROTOCOL,
                        ApiError.badGateway(
                                "upstream_protocol_error",
                                "Provider '" + provider.name() + "' sent an invalid HTTP response."),
                        cause);
            }
            return;
        }
        if (skippingInformational) {
            // A 1xx (100 Continue, 103 Early Hints) is not the answer; the real head follows it.
            skippingInformational = !(msg instanceof LastHttpContent);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                int code = response.status().code();
                if (code != HttpResponseStatus.CONTINUE.code() && code != 103) {
                    // A 101 hands the connection to another protocol: no answer will ever follow, so
                    // waiting for one would only run out the timeouts.
                    fail(
                            FailureClass.PROTOCOL,
                            ApiError.badGateway(
                                    "upstream_protocol_error",
                                    "Provider '" + provider.name() + "' answered HTTP " + code
                                            + ", which is not an answer the proxy can relay."),
                            null);
                    return;
                }
                skippingInformational = !(msg instanceof LastHttpContent);
                return;
            }
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
        long now = System.nanoTime();
        attempt.firstByte(now, response.status().code());
        outcome.firstByte(now - startNanos);
        if (stream
                && response.status().code() == 200
                && call.isStream(response.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            state = State.STREAMING;
            relay = new StreamRelay(
                    client,
                    ScrubbedErrorEvents.of(call.newStreamTranslator(), upstreamClient.scrubber()),
                    settings.maxEventBytes(),
                    upstreamClient.bufferBudget());
            relay.start(response.headers(), provider.name(), modelId, attempt.number());
            outcome.responding();
        } else {
            if (HttpUtil.getContentLength(response, -1L) > settings.maxResponseBytes()) {
                fail(FailureClass.TOO_LARGE, tooLarge(), null);
                return;
            }
            state = State.AGGREGATING;
            aggregator =
                    new ResponseAggregator(client.alloc(), settings.maxResponseBytes(), upstreamClient.bufferBudget());
        }
        restartResponseClock(settings.idleTimeout());
    }

    private void onContent(HttpContent content) {
        responseClockNanos = System.nanoTime();
        ByteBuf data = content.content();
        if (state == State.STREAMING) {
            if (data.isReadable() && !relay.relay(data)) {
                pause();
            }
            if (relay.overflowing()) {
                fail(
                        FailureClass.TOO_LARGE,
                        ApiError.badGateway(
                                "upstream_event_too_large",
                                "Provider '" + provider.name() + "' sent more than " + settings.maxEventBytes()
                                        + " bytes without ending an event."),
                        null);
                return;
            }
            if (relay.overBudget()) {
                failWithoutFailover(memoryExhausted());
                return;
            }
        } else {
            ResponseAggregator.Added added = aggregator.add(data);
            if (added != ResponseAggregator.Added.KEPT) {
                if (added == ResponseAggregator.Added.TOO_LARGE) {
                    fail(FailureClass.TOO_LARGE, tooLarge(), null);
                } else {
                    failWithoutFailover(memoryExhausted());
                }
                return;
            }
        }
        if (content instanceof LastHttpContent) {
            upstreamComplete = true;
            attempt.lastByte(System.nanoTime());
            if (state == State.STREAMING) {
                relay.upstreamEnded(); // before usage is read: a last event without its terminator may hold it
                streamFacts();
                endAttempt(Attempt.Outcome.ANSWERED, null, null);
                relay.end();
                outcome.succeeded();
            } else if (!failedOverOnStatus()) {
                FullHttpResponse response = aggregator.toResponse(
                        client.alloc(), head, ScrubbedErrorAnswers.of(call, upstreamClient.scrubber()));
                if (response.status().code() < 400) {
                    // Read once, here: small answers whole, big ones (embeddings) only from their tail.
                    CompletionFacts facts = call.facts(response.content());
                    exchange.usage(facts.usage());
                    exchange.finishReason(facts.finishReason());
                    if (CapturedContent.wanted(exchange.config())) {
                        exchange.capturedOutput(CapturedContent.of(response.content()));
                    }
                }
                endAttempt(Attempt.Outcome.ANSWERED, null, null);
                ResponseHeaders.addProxyHeaders(
                        response.headers(),
                        head.headers(),
                        provider.name(),
                        modelId,
                        attempt.number(),
                        exchange.clientApi());
                client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            finish(true);
        }
    }

    /**
     * A whole answer with a retryable status (408, 409, 429, 5xx) goes to the next attempt if there
     * is one, and so does a 401/403 when it came with one of the provider's keys (the key is bad,
     * not the request), and so does an error the call itself moves on after ({@link
     * DialectCall#movesOnAfter}); any other answer means the deployment is healthy.
     */
    private boolean failedOverOnStatus() {
        int status = head.status().code();
        boolean keyRejected = key != null && (status == 401 || status == 403);
        boolean movesOn = status >= 400 && call.movesOnAfter(status);
        if (!RouteSelector.isRetryable(status) && !keyRejected && !movesOn) {
            outcome.succeeded();
            return false;
        }
        long retryAfter = RetryAfter.parse(
                        head.headers().get("retry-after"),
                        head.headers().get("retry-after-ms"),
                        System.currentTimeMillis())
                .orElse(0L);
        ApiError error = new ApiError(
                status,
                status >= 500 ? ApiError.API_ERROR : ApiError.INVALID_REQUEST,
                "upstream_error",
                null,
                "Provider '" + provider.name() + "' answered HTTP " + status + ".");
        handedOver = outcome.failedOver(error, FailureClass.STATUS, status, retryAfter);
        if (handedOver) {
            endAttempt(Attempt.Outcome.FAILED, FailureClass.STATUS, error.code());
        }
        return handedOver;
    }

    /** A stream's usage and finish reason, as its translator saw them (it reads every event anyway). */
    private void streamFacts() {
        exchange.usage(relay.translator().usage());
        exchange.finishReason(relay.translator().finishReason());
    }

    /** Ends the attempt for the listeners, once; the first verdict stands. */
    private void endAttempt(Attempt.Outcome how, FailureClass failure, String errorCode) {
        if (attempt.outcome() == Attempt.Outcome.PENDING) {
            attempt.end(System.nanoTime(), how, failure, errorCode);
            listeners.attemptEnded(exchange, attempt);
        }
    }

    /** The client cannot take more: stop reading upstream, and stop blaming the provider for the silence. */
    private void pause() {
        paused = true;
        upstream.config().setAutoRead(false);
    }

    @Override
    public void clientWritabilityChanged() {
        if (paused
                && state == State.STREAMING
                && upstream != null
                && client.channel().isWritable()) {
            paused = false;
            restartResponseClock(settings.idleTimeout());
            upstream.config().setAutoRead(true);
        }
    }

    @Override
    public void clientClosed() {
        if (state != State.DONE) {
            finish(false);
        }
    }

    /** The stop's grace is over: a stream gets {@code error} as its last event; the provider call is cancelled. */
    @Override
    public boolean serverStopping(ApiError error) {
        if (state == State.DONE) {
            return false;
        }
        boolean streaming = relay != null && relay.headersSent();
        if (streaming) {
            exchange.failed(error);
            streamFacts();
            endAttempt(Attempt.Outcome.CANCELLED, null, null);
            relay.endWithError(error);
        }
        finish(false); // not the provider's failure: no verdict on the deployment
        return streaming;
    }

    /** The upstream read is over: what it relayed goes to the client in one flush. */
    void onUpstreamReadComplete() {
        if (relay != null && state == State.STREAMING) {
            relay.flush();
        }
    }

    void onUpstreamClosed() {
        if (state == State.DONE || retryUnsent()) {
            return;
        }
        fail(cutOrUnsent(), UpstreamFailures.closedEarly(provider.name()), null);
    }

    void onUpstreamError(Throwable cause) {
        if (state == State.DONE || retryUnsent()) {
            return;
        }
        fail(cutOrUnsent(), UpstreamFailures.of(cause, provider.name()), cause);
    }

    /**
     * A connection lost once the request was written may have left the provider running it (a cut);
     * before that, nothing can have run.
     */
    private FailureClass cutOrUnsent() {
        return requestWritten ? FailureClass.CUT : FailureClass.CONNECT_ERROR;
    }

    /** Likewise for a timeout: one that struck while the request was still being written ran nothing. */
    private FailureClass timeoutOrUnsent() {
        return requestWritten ? FailureClass.TIMEOUT : FailureClass.CONNECT_ERROR;
    }

    /**
     * A pooled connection the provider closed while it sat idle fails before our request is fully
     * written. Only then is the request certainly unprocessed and sent once more on a new connection;
     * once written, a retry could make the provider run (and bill) it twice.
     */
    private boolean retryUnsent() {
        if (state != State.AWAITING_RESPONSE || !reusedConnection || requestWritten || retriedUnsent) {
            return false;
        }
        retriedUnsent = true;
        responseTimeoutNanos = 0;
        releaseUpstream(false);
        state = State.ACQUIRING;
        acquire();
        return true;
    }

    /** The gateway's own memory is short: another deployment's answer would not fit either. */
    private void failWithoutFailover(ApiError error) {
        noFailover = true;
        fail(null, error, null);
    }

    /** {@code failure} null: our own bug or shortage, which another attempt would not fix (no failover). */
    private void fail(FailureClass failure, ApiError error, Throwable cause) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE; // a failure while failing must not come back here
        try {
            // The operator sees what the client cannot: the underlying cause (which never holds a key).
            log.warn(
                    "request {}: provider {} failed ({}): {}{}",
                    exchange.requestId(),
                    provider.name(),
                    error.code(),
                    error.message(),
                    cause == null ? "" : " cause: " + cause);
            if (relay != null && relay.headersSent()) {
                // Only here is the client told in a way its 200 status does not show; an error answer
                // names itself in the row, and a failed-over attempt was never the client's business.
                exchange.failed(error);
                streamFacts();
                endAttempt(Attempt.Outcome.FAILED, failure, error.code());
                if (!noFailover) {
                    outcome.failedAfterStart(); // the gateway's own shortage is no verdict on the deployment
                }
                relay.endWithError(error);
            } else if (client.channel().isActive()) {
                // Our own bugs (500) are not the provider's failure: no failover for them.
                handedOver = failure != null && outcome.failedOver(error, failure, 0, 0);
                endAttempt(Attempt.Outcome.FAILED, failure, error.code());
                if (!handedOver) {
                    exchange.error(error);
                    FullHttpResponse response = Responses.error(client.channel(), error);
                    ResponseHeaders.addProxyHeaders(
                            response.headers(),
                            head == null ? null : head.headers(),
                            provider.name(),
                            modelId,
                            attempt.number(),
                            exchange.clientApi());
                    client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
            }
        } finally {
            endAttempt(Attempt.Outcome.FAILED, failure, error.code()); // the client had left: still failed
            finish(false);
        }
    }

    private void finish(boolean reuseUpstream) {
        state = State.DONE;
        endAttempt(Attempt.Outcome.CANCELLED, null, null); // the client left, or a stop: no verdict
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (exchange.listener() == this) {
            exchange.listener(null);
        }
        if (relay != null) {
            relay.close();
        }
        if (aggregator != null) {
            aggregator.release();
        }
        body.release();
        releaseUpstream(reuseUpstream && upstreamComplete && requestWritten && HttpUtil.isKeepAlive(head));
        if (!handedOver) {
            outcome.ended();
        }
    }

    /** Returns the connection to the pool (exactly once per acquire), closed unless clean and reusable. */
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

    /**
     * Runs a step of the call, turning a bug into a 500 for this client instead of an exception
     * swallowed by a future listener (which would leave the client waiting for the total timeout).
     */
    private void guarded(Runnable step) {
        // Pool and timer callbacks enter here: their lines carry the exchange's ids.
        boolean mdc = ExchangeMdc.enter(exchange);
        try {
            step.run();
        } catch (RuntimeException e) {
            log.error("request {}: internal error calling provider {}", exchange.requestId(), provider.name(), e);
            fail(
                    null,
                    new ApiError(
                            500,
                            ApiError.API_ERROR,
                            "internal_error",
                            null,
                            "The proxy failed while calling provider '" + provider.name() + "' (request id "
                                    + exchange.requestId() + ")."),
                    null);
        } finally {
            ExchangeMdc.exit(mdc);
        }
    }

    /** Starts the response clock: first byte, then idle between chunks (paused while the client is). */
    private void restartResponseClock(Duration timeout) {
        responseClockNanos = System.nanoTime();
        responseTimeoutNanos = timeout.toNanos();
        armTimer(Math.min(totalDeadlineNanos, responseClockNanos + responseTimeoutNanos));
    }

    /** Schedules the timer for {@code dueNanos} unless it already fires earlier (it re-checks then). */
    private void armTimer(long dueNanos) {
        if (timer != null && timerDueNanos <= dueNanos) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerDueNanos = dueNanos;
        timer = client.executor().schedule(timerTask, Math.max(0, dueNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (state == State.DONE) {
            return;
        }
        long now = System.nanoTime();
        if (now - totalDeadlineNanos >= 0) {
            fail(
                    timeoutOrUnsent(),
                    ApiError.gatewayTimeout(
                            totalDeadlineNanos == requestDeadlineNanos
                                    ? "Provider '" + provider.name() + "' did not finish before the request's deadline."
                                    : "Provider '" + provider.name() + "' did not finish within "
                                            + millis(settings.totalTimeout()) + "."),
                    null);
            return;
        }
        long next = totalDeadlineNanos;
        if (!paused && responseTimeoutNanos > 0) {
            long due = responseClockNanos + responseTimeoutNanos;
            if (now - due >= 0) {
                fail(
                        timeoutOrUnsent(),
                        ApiError.gatewayTimeout(
                                state == State.AWAITING_RESPONSE
                                        ? "Provider '" + provider.name() + "' sent no response within "
                                                + millis(settings.firstByteTimeout()) + "."
                                        : "Provider '" + provider.name() + "' sent nothing for "
                                                + millis(settings.idleTimeout()) + "."),
                        null);
                return;
            }
            next = Math.min(next, due);
        }
        armTimer(next);
    }

    private ApiError memoryExhausted() {
        return ApiError.badGateway(
                "gateway_memory_exhausted",
                "The gateway holds too many large answers at once (upstream.max_buffered_bytes) to take "
                        + "this one from provider '" + provider.name() + "'.");
    }

    private ApiError tooLarge() {
        return ApiError.badGateway(
                "upstream_response_too_large",
                "Provider '" + provider.name() + "' sent a response larger than " + settings.maxResponseBytes()
                        + " bytes.");
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }
}
