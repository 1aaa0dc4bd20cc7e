package io.aigw.server.routing;

import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.DeploymentState;
import io.aigw.server.dialect.DialectCall;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.upstream.UpstreamCall;
import io.aigw.server.upstream.UpstreamClient;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.List;

/**
 * Tries a model's deployments in the selector's order until one answers: a failure before anything
 * reached the client (connect error, reset, timeout, 408, 409, 429, 5xx) moves on to the next;
 * other answers go back as they are. Each deployment's circuit breaker hears every outcome, so a
 * dead one stops being tried. Holds the client's request while another attempt may still need it,
 * so each attempt is prepared from the same bytes.
 */
public final class Failover implements UpstreamCall.Outcome {
    private final ChannelHandlerContext ctx;
    private final Exchange exchange;
    private final ApiEndpoint api;
    private final FullHttpRequest request;
    private final RequestScan scan;
    private final Routes.Route route;
    private final List<DeploymentState> candidates;
    private final String wildcardModelId;
    private final ProxyConfig config;
    private final UpstreamClient upstreamClient;

    private int next;
    private int attempts;
    private DeploymentState current;
    private boolean outcomeRecorded;
    private boolean latencyRecorded;
    private ApiError lastError;
    private boolean done;
    private boolean requestReleased;

    /** Takes ownership of {@code request}. */
    public Failover(ChannelHandlerContext ctx, Exchange exchange, ApiEndpoint api, FullHttpRequest request,
                    RequestScan scan, Routes.Route route, List<DeploymentState> candidates, String wildcardModelId,
                    ProxyConfig config, UpstreamClient upstreamClient) {
        this.ctx = ctx;
        this.exchange = exchange;
        this.api = api;
        this.request = request;
        this.scan = scan;
        this.route = route;
        this.candidates = candidates;
        this.wildcardModelId = wildcardModelId;
        this.config = config;
        this.upstreamClient = upstreamClient;
    }

    public void start() {
        tryNext();
    }

    private void tryNext() {
        if (done) {
            return;
        }
        if (!ctx.channel().isActive()) {
            end();
            return;
        }
        long now = System.nanoTime();
        while (next < candidates.size()) {
            DeploymentState state = candidates.get(next++);
            boolean gated = route.deployments().size() > 1;
            if (gated && !state.breaker().tryAcquire(now)) {
                continue;
            }
            Deployment deployment = route.deployments().get(state);
            if (wildcardModelId != null) {
                deployment = new Deployment(deployment.provider(), wildcardModelId, deployment.priority(),
                        deployment.weight(), deployment.maxTokens());
            }
            ProviderConfig provider = config.providers().get(deployment.provider());
            DialectCall call;
            try {
                call = upstreamClient.dialect(provider).prepare(api, request.content(), scan, deployment, ctx.alloc());
            } catch (ApiException clientError) {
                // The request itself is wrong for this provider: another deployment would not fix it.
                if (gated) {
                    state.breaker().release();
                }
                end();
                Responses.sendError(ctx, clientError.error());
                return;
            }
            attempts++;
            current = state;
            outcomeRecorded = false;
            latencyRecorded = false;
            state.latency().onStart();
            new UpstreamCall(ctx, exchange, upstreamClient, provider, deployment.modelId(), api, call, this, attempts)
                    .start();
            if (next >= candidates.size()) {
                releaseRequest(); // no later attempt will need the client's bytes
            }
            return;
        }
        end();
        ApiError error = lastError == null
                ? ApiError.unavailable("no_deployment_available", "Every deployment of model '"
                        + route.config().name() + "' is unavailable (circuit open or cooling down).")
                : ApiError.unavailable("all_deployments_failed", "Every deployment of model '"
                        + route.config().name() + "' failed; the last failure: " + lastError.message());
        FullHttpResponse response = Responses.error(ctx.alloc(), error);
        response.headers().set("x-proxy-attempts", Integer.toString(attempts));
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public boolean failedOver(ApiError error, int upstreamStatus, long retryAfterNanos) {
        long now = System.nanoTime();
        if (upstreamStatus == 429 && retryAfterNanos > 0) {
            current.breaker().coolFor(retryAfterNanos, now);
        } else {
            current.breaker().onFailure(now);
        }
        outcomeRecorded = true;
        abortLatency();
        lastError = error;
        if (attempts == 1 && next >= candidates.size()) {
            return false; // a model with one deployment answers with that deployment's own error
        }
        // Later on the loop, once the failed call has released its connection and buffers.
        ctx.executor().execute(this::tryNext);
        return true;
    }

    @Override
    public void firstByte(long ttfbNanos) {
        if (!latencyRecorded) {
            latencyRecorded = true;
            current.latency().onFinish(ttfbNanos, System.nanoTime());
        }
    }

    /** The attempt ended without a response head: it leaves the in-flight count, adding no sample. */
    private void abortLatency() {
        if (current != null && !latencyRecorded) {
            latencyRecorded = true;
            current.latency().onAbort();
        }
    }

    /** The client is getting the answer: no failover is possible any more, so the request can go. */
    @Override
    public void responding() {
        releaseRequest();
    }

    @Override
    public void succeeded() {
        current.breaker().onSuccess(System.nanoTime());
        outcomeRecorded = true;
    }

    @Override
    public void failedAfterStart() {
        current.breaker().onFailure(System.nanoTime());
        outcomeRecorded = true;
    }

    @Override
    public void ended() {
        abortLatency();
        if (current != null && !outcomeRecorded && route.deployments().size() > 1) {
            current.breaker().release(); // the client left: no verdict on the deployment
        }
        end();
    }

    private void end() {
        done = true;
        releaseRequest();
    }

    /** Held while another attempt may need it; a long stream must not pin the client's read buffers. */
    private void releaseRequest() {
        if (!requestReleased) {
            requestReleased = true;
            request.release();
        }
    }
}
