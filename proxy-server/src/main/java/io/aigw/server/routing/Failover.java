package io.aigw.server.routing;

import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.config.ProxyConfig.Retries;
import io.aigw.core.cost.PriceTable;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.ClientApi;
import io.aigw.core.routing.Backoff;
import io.aigw.core.routing.CircuitBreaker;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.FailureClass;
import io.aigw.core.routing.KeyPool;
import io.aigw.core.routing.RetryPolicy;
import io.aigw.server.dialect.CallInput;
import io.aigw.server.dialect.Dialect;
import io.aigw.server.dialect.DialectCall;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeMdc;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.upstream.UpstreamCall;
import io.aigw.server.upstream.UpstreamClient;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one client request over a model's deployments until one answers.
 *
 * <p>A failure before anything reached the client moves on at once to the next deployment of the
 * round when the route's {@code retry_on} lists its {@link FailureClass} (by default a connect error,
 * or a 408, 409, 429 or 5xx); other failures and answers go back as they are.
 * When a round is used up, the route's {@code retries} start another after a wait: the provider's
 * {@code Retry-After} when it gave one (up to the cap), else exponential backoff with jitter, and
 * never past the request's deadline. A rejected key (401/403) or a rate-limited one (429, when the
 * provider has others) is taken out or cooled alone, and the same deployment is tried with another
 * key. Each deployment's circuit breaker hears every outcome, so a dead one stops being tried.
 *
 * <p>Holds the client's request while another attempt may still need it, so every attempt is
 * prepared from the same bytes without reading the client again.
 */
public final class Failover implements UpstreamCall.Outcome, Exchange.ClientListener {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);
    /** A 429 without Retry-After, on a provider with other keys, rests that key this long. */
    private static final long KEY_COOLDOWN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ChannelHandlerContext ctx;
    private final Exchange exchange;
    private final ApiEndpoint api;
    private final FullHttpRequest request;
    private final RequestScan scan;
    private final Routes.Route route;
    private final String wildcardModelId;
    private final ProxyConfig config;
    private final UpstreamClient upstreamClient;
    private final Routing routing;
    private final RetryPolicy retryPolicy;
    /** Real time ({@link System#nanoTime()}): the timers that enforce it run on the event loop. */
    private final long deadlineNanos;
    /** More than one deployment: breakers gate them, and the final failure is a 503 of ours. */
    private final boolean gated;

    private List<DeploymentState> candidates;
    private int next;
    private int retries;
    private int attempts;
    private DeploymentState current;
    private KeyPool currentPool;
    private KeyPool.Key currentKey;
    private boolean sameDeploymentAgain;
    /** Attempts on the current deployment with another key, this round: at most one per other key. */
    private int keySwitches;

    private boolean outcomeRecorded;
    private boolean latencyRecorded;
    private ApiError lastError;
    private long lastRetryAfterNanos;
    private boolean done;
    private boolean waiting;
    private boolean requestReleased;

    /** Takes ownership of {@code request}. */
    public Failover(
            ChannelHandlerContext ctx,
            Exchange exchange,
            ApiEndpoint api,
            FullHttpRequest request,
            RequestScan scan,
            Routes.Route route,
            List<DeploymentState> candidates,
            String wildcardModelId,
            ProxyConfig config,
            UpstreamClient upstreamClient,
            Routing routing) {
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
        this.routing = routing;
        Retries r = route.config().retries();
        this.retryPolicy =
                RetryPolicy.of(r.count(), Backoff.exponential(r.backoff(), r.maxBackoff()), r.retryAfterCap());
        this.deadlineNanos = exchange.startNanos() + route.config().timeout().toNanos();
        this.gated = route.deployments().size() > 1;
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
        if (System.nanoTime() - deadlineNanos >= 0) {
            giveUp(ApiError.gatewayTimeout("Model '" + route.config().name() + "' did not answer within its "
                    + route.config().timeout().toMillis() + " ms deadline (" + attempts + " attempt(s))."));
            return;
        }
        long now = routing.clock().nanoTime();
        while (sameDeploymentAgain || next < candidates.size()) {
            DeploymentState state;
            if (sameDeploymentAgain) {
                state = current;
                sameDeploymentAgain = false;
            } else {
                state = candidates.get(next++);
                keySwitches = 0;
            }
            if (gated && !state.breaker().tryAcquire(now)) {
                continue;
            }
            if (!gated && state.breaker().state(now) == CircuitBreaker.State.DISABLED) {
                // Always tried otherwise, but an operator's disable is an order, not a hiccup.
                giveUp(ApiError.unavailable(
                        "no_deployment_available",
                        "The only deployment of model '"
                                + route.config().name() + "' (provider '" + state.provider()
                                + "') is disabled by an operator."));
                return;
            }
            Deployment deployment = route.deployments().get(state);
            KeyPool pool = routing.keys().get(deployment.provider());
            KeyPool.Key key = null;
            if (pool.size() > 0) {
                key = pool.pick(now);
                if (key == null) {
                    if (gated) {
                        state.breaker().release();
                    }
                    lastError = ApiError.unavailable(
                            "no_usable_key",
                            "Provider '" + deployment.provider()
                                    + "' has no usable API key (each is cooling down after a 429 or was rejected).");
                    lastRetryAfterNanos = soonestKeyReturn(pool, now);
                    continue;
                }
            }
            if (wildcardModelId != null) {
                deployment = deployment.withModelId(wildcardModelId);
            }
            ProviderConfig provider = config.providers().get(deployment.provider());
            DialectCall call;
            try {
                Dialect dialect = upstreamClient.dialect(provider);
                call = api.clientApi() == ClientApi.OPENAI
                        ? dialect.prepare(api, request.content(), scan, deployment, ctx.alloc())
                        : upstreamClient
                                .converters()
                                .prepare(new CallInput(
                                        api,
                                        request.content(),
                                        request.headers(),
                                        scan,
                                        deployment,
                                        provider,
                                        dialect,
                                        ctx.alloc()));
            } catch (ApiException clientError) {
                // The request itself is wrong for this provider: another deployment would not fix it.
                if (gated) {
                    state.breaker().release();
                }
                giveUp(clientError.error());
                return;
            } catch (RuntimeException bug) {
                // A translator bug: answer now, and give back the probe slot, or the deployment is never probed again.
                if (gated) {
                    state.breaker().release();
                }
                log.error(
                        "request {}: preparing the call to provider {} failed",
                        exchange.requestId(),
                        deployment.provider(),
                        bug);
                giveUp(new ApiError(
                        500,
                        ApiError.API_ERROR,
                        "internal_error",
                        null,
                        "The proxy failed to prepare " + "the call to provider '" + deployment.provider()
                                + "' (request id " + exchange.requestId() + ")."));
                return;
            }
            attempts++;
            current = state;
            currentPool = pool;
            currentKey = key;
            if (key != null) {
                pool.onStart(key);
            }
            outcomeRecorded = false;
            latencyRecorded = false;
            state.latency().onStart();
            if (isLastPossibleAttempt(pool)) {
                releaseRequest(); // no later attempt will need the client's bytes
            }
            Attempt attempt = new Attempt(
                    exchange.attempts().size() + 1,
                    state.name(),
                    provider.name(),
                    provider.type(),
                    deployment.modelId(),
                    key == null ? -1 : key.index(),
                    provider.baseUrl().getHost(),
                    PriceTable.builtin().priceOf(deployment.price(), provider.type(), deployment.modelId()),
                    System.nanoTime());
            new UpstreamCall(
                            ctx,
                            exchange,
                            upstreamClient,
                            provider,
                            deployment.modelId(),
                            api,
                            call,
                            this,
                            attempt,
                            key,
                            deadlineNanos)
                    .start();
            return;
        }
        // The round is used up: another one after a wait, if the route retries and time allows.
        if (lastError != null && waitThenRetry()) {
            return;
        }
        giveUp(
                lastError == null
                        ? ApiError.unavailable(
                                "no_deployment_available",
                                "Every deployment of model '" + route.config().name()
                                        + "' is unavailable (circuit open or cooling down).")
                        : ApiError.unavailable(
                                "all_deployments_failed",
                                "Every deployment of model '" + route.config().name() + "' failed; the last failure: "
                                        + lastError.message()));
    }

    private boolean isLastPossibleAttempt(KeyPool pool) {
        return next >= candidates.size() && retries >= retryPolicy.count() && pool.size() <= 1;
    }

    /** Schedules the next round if a retry is left and its wait ends before the deadline. */
    private boolean waitThenRetry() {
        if (retries >= retryPolicy.count()) {
            return false;
        }
        Optional<Long> serverDelay = lastRetryAfterNanos > 0 ? Optional.of(lastRetryAfterNanos) : Optional.empty();
        OptionalLong delay = retryPolicy.nextDelay(retries + 1, serverDelay, System.nanoTime(), deadlineNanos);
        if (delay.isEmpty()) {
            return false;
        }
        retries++;
        waiting = true;
        exchange.listener(this); // a client that leaves during the wait frees the request at once
        routing.waits().after(ctx.executor(), delay.getAsLong(), ExchangeMdc.wrap(exchange, this::nextRound));
        return true;
    }

    private void nextRound() {
        waiting = false;
        if (exchange.listener() == this) {
            exchange.listener(null);
        }
        if (done) {
            return;
        }
        candidates = gated
                ? route.selector().candidates(routing.clock().nanoTime(), ThreadLocalRandom.current())
                : route.selector().deployments();
        next = 0;
        tryNext();
    }

    private void giveUp(ApiError error) {
        end();
        exchange.error(error);
        FullHttpResponse response = Responses.error(ctx.channel(), error);
        response.headers().set("x-proxy-attempts", Integer.toString(attempts));
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public boolean failedOver(ApiError error, FailureClass failure, int upstreamStatus, long retryAfterNanos) {
        long now = routing.clock().nanoTime();
        boolean keyFault = judge(upstreamStatus, retryAfterNanos, now);
        outcomeRecorded = true;
        abortLatency();
        finishKey();
        lastError = error;
        lastRetryAfterNanos = retryAfterNanos;
        // A short Retry-After must not let two keys take turns until the deadline: each other key
        // gets one try per round, and further rounds are the route's retries. A key the provider
        // refused ran nothing, so switching keys is not a retry retry_on must allow.
        if (keyFault && keySwitches < currentPool.size() - 1 && currentPool.anyUsable(now)) {
            keySwitches++;
            sameDeploymentAgain = true; // the deployment is fine: the same one with another key
        } else if (!failure.retryable() || !route.config().retryOn().contains(failure)) {
            // The provider may be running (and billing) the request already, or it would fail the
            // same way again: this attempt's answer is the client's, on every deployment and round.
            return false;
        } else if (!gated && (upstreamStatus == 401 || upstreamStatus == 403 || !waitThenRetry())) {
            return false; // a model with one deployment answers with that deployment's own error
        }
        if (!waiting) {
            // Later on the loop, once the failed call has released its connection and buffers.
            ctx.executor().execute(ExchangeMdc.wrap(exchange, this::tryNext));
        }
        return true;
    }

    /**
     * Puts the blame for a failed attempt: on the key when the provider rejected it (401/403) or
     * rate-limited it while other keys remain (429), else on the deployment's breaker. True when
     * the key was at fault.
     */
    private boolean judge(int status, long retryAfterNanos, long now) {
        if (currentKey != null && (status == 401 || status == 403)) {
            releaseBreaker();
            if (!currentPool.anyUsableExcept(currentKey, now)) {
                // Taking out the last usable key would turn one provider answer into 503s until an
                // operator reset; kept, the provider's own 401/403 goes back and tells the story.
                log.warn(
                        "provider {} rejected key {} with HTTP {}; kept in rotation: no other key is usable",
                        currentPool.provider(),
                        currentKey.hash(),
                        status);
                return false;
            }
            currentPool.remove(currentKey, "HTTP " + status);
            log.warn(
                    "provider {} rejected key {} with HTTP {}: taken out of rotation until reset",
                    currentPool.provider(),
                    currentKey.hash(),
                    status);
            return true;
        }
        if (currentKey != null && status == 429 && currentPool.size() > 1) {
            currentPool.coolFor(currentKey, retryAfterNanos > 0 ? retryAfterNanos : KEY_COOLDOWN_NANOS, now);
            releaseBreaker();
            return true;
        }
        if (status == 429 && retryAfterNanos > 0) {
            current.breaker().coolFor(retryAfterNanos, now);
        } else {
            current.breaker().onFailure(now);
        }
        return false;
    }

    /** Nanoseconds until the first cooling key of {@code pool} is back (0 when none will be). */
    private static long soonestKeyReturn(KeyPool pool, long now) {
        long soonest = 0;
        for (KeyPool.Key k : pool.keys()) {
            long left = k.isRemoved() ? 0 : k.coolingRemaining(now);
            if (left > 0 && (soonest == 0 || left < soonest)) {
                soonest = left;
            }
        }
        return soonest;
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

    private void finishKey() {
        if (currentKey != null) {
            currentPool.onFinish(currentKey);
            currentKey = null;
        }
    }

    /** An attempt with no verdict on the deployment gives back a half-open probe slot. */
    private void releaseBreaker() {
        if (gated) {
            current.breaker().release();
        }
    }

    /** The client is getting the answer: no failover is possible any more, so the request can go. */
    @Override
    public void responding() {
        releaseRequest();
    }

    @Override
    public void succeeded() {
        current.breaker().onSuccess(routing.clock().nanoTime());
        outcomeRecorded = true;
    }

    @Override
    public void failedAfterStart() {
        current.breaker().onFailure(routing.clock().nanoTime());
        outcomeRecorded = true;
    }

    @Override
    public void ended() {
        abortLatency();
        finishKey();
        if (current != null && !outcomeRecorded) {
            releaseBreaker(); // the client left: no verdict on the deployment
        }
        end();
    }

    @Override
    public void clientWritabilityChanged() {
        // Nothing is being written while waiting to retry.
    }

    @Override
    public void clientClosed() {
        if (waiting) {
            end(); // the scheduled round finds it done
        }
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
