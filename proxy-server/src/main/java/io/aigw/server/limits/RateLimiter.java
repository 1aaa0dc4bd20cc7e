package io.aigw.server.limits;

import io.aigw.core.config.LimitsConfig;
import io.aigw.core.config.LimitsConfig.KeyLimits;
import io.aigw.core.config.LimitsConfig.Rates;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.keys.KeyPrincipal;
import io.aigw.core.keys.KeySettings;
import io.aigw.core.limits.Decision;
import io.aigw.core.limits.Limit;
import io.aigw.core.limits.LimitCheck;
import io.aigw.core.limits.LimitStore;
import io.aigw.core.limits.LocalLimitStore;
import io.aigw.core.limits.RedisLimitStore;
import io.aigw.server.WarnPerMinute;
import io.aigw.server.exchange.ExchangeMdc;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.lettuce.core.resource.Transports;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits each proxied request against its limits before any provider is called: requests and tokens per
 * minute, requests in flight and token quotas, per key, per client address and for the whole gateway
 * ({@code limits:} in the config, a database key's own settings). One {@link LimitStore#acquire} per
 * request, atomic over every check; with Redis it is one round trip, and the request waits for it
 * without holding its event loop: the answer resumes it on its own loop.
 *
 * <p>A request is admitted against an estimate of its tokens (a quarter of its body's bytes for the
 * prompt, plus its {@code max_tokens} or {@code limits.default_max_tokens}), each token limit charged at
 * most its whole limit; when it completes, {@link Admission#settle} corrects the charge to the usage the
 * provider reported. While the estimates cover the real usage (the output is capped by {@code max_tokens}),
 * the tokens admitted in any minute stay within the limit; what a request uses beyond its estimate is
 * charged afterwards, so the overshoot in a minute is at most the excess of the requests in flight
 * together, and it is repaid by the requests that follow.
 *
 * <p>When Redis cannot answer within {@code limits.redis.timeout_ms}: {@code fail_open} decides the request
 * with this process's own store (the same limits, per replica), counts it and warns once a minute;
 * {@code fail_closed} answers 503.
 */
public final class RateLimiter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
    private static final Duration MINUTE = Duration.ofMinutes(1);
    /** A lease outlives the longest exchange by this much before it is forgotten (a replica that died). */
    private static final Duration LEASE_SLACK = Duration.ofMinutes(1);

    static final ApiError STORE_DOWN = ApiError.unavailable(
            "rate_limit_store_unavailable", "Rate limits could not be checked: the limit store did not answer. Retry.");

    /** The limits' figures; a config reload may replace them (never the store). */
    private volatile Rules rules;

    private final LimitStore store;
    /** This process's own limits: the store itself when local, the fail-open fallback when shared. */
    private final LocalLimitStore local;

    /** The shared store of the first event loop (corrections, readiness); null when limits are local. */
    private final RedisLimitStore redis;
    /** With Lettuce on our loops: each loop's own connection to Redis; else empty (one store for all). */
    private final Map<EventExecutor, RedisLimitStore> byLoop;

    private final OnLoops onLoops;
    private final RateLimitObserver observer;

    private static final int MAX_CACHED_KEYS = 10_000;
    private final Map<Object, KeyRates> keyCache = new ConcurrentHashMap<>();
    /** The shared store's corrections, batched; null with a local store (its corrections are immediate). */
    private final BatchedCorrections batched;

    private final WarnPerMinute failOpenWarning = new WarnPerMinute(
            log, "rate limits decided locally (fail_open): {} ({} such decisions since the last such line)");
    private final WarnPerMinute correctionWarning =
            new WarnPerMinute(log, "rate limit correction not applied: {} ({} since the last such line)");

    RateLimiter(LimitsConfig config, LocalLimitStore local, RedisLimitStore redis, RateLimitObserver observer) {
        this(config, local, redis, Map.of(), null, null, observer);
    }

    private RateLimiter(
            LimitsConfig config,
            LocalLimitStore local,
            RedisLimitStore redis,
            Map<EventExecutor, RedisLimitStore> byLoop,
            OnLoops onLoops,
            EventLoop firstLoop,
            RateLimitObserver observer) {
        this.rules = Rules.of(config);
        this.local = local;
        this.redis = redis;
        this.byLoop = byLoop;
        this.onLoops = onLoops;
        this.store = redis != null ? redis : local;
        this.observer = observer;
        this.batched = redis == null ? null : new BatchedCorrections(this::send, firstLoop);
    }

    /**
     * The figures of {@code limits:} and the global limits made from them: one value, so a request
     * plans under one set whatever reload happens meanwhile.
     *
     * @param global the global limits, or null when there are none
     */
    private record Rules(LimitsConfig config, RateLimits global) {
        static Rules of(LimitsConfig config) {
            return new Rules(config, config.global().any() ? RateLimits.of("global:", config.global()) : null);
        }
    }

    /**
     * A reloaded config's limits (global, per address, key defaults, default max tokens) for the
     * requests planned from now on; what was counted so far stays counted. The store and its Redis
     * settings must be the running ones: those take a restart.
     */
    public void rules(LimitsConfig next) {
        LimitsConfig now = rules.config();
        if (next.store() != now.store() || !Objects.equals(next.redis(), now.redis())) {
            throw new IllegalArgumentException("limits.store and limits.redis change only with a restart");
        }
        if (!next.equals(now)) {
            rules = Rules.of(next);
        }
    }

    /** The limiter the config asks for, Redis (if any) on Lettuce's own threads. */
    public static RateLimiter open(LimitsConfig config, RateLimitObserver observer) {
        return open(config, observer, null, null);
    }

    /**
     * The limiter the config asks for (Redis connections are opened in the background, never awaited).
     *
     * @param loops the server's event loops: with Redis, each gets a connection of its own on it, so a
     *     request is decided without leaving its loop; null to use Lettuce's own threads
     * @param loopChannel the socket channel class the loops run (epoll or NIO): Lettuce's must be the same
     *     for its connections to live on them, else it keeps threads of its own
     */
    public static RateLimiter open(
            LimitsConfig config, RateLimitObserver observer, EventLoopGroup loops, Class<?> loopChannel) {
        if (config.store() != LimitsConfig.Store.REDIS) {
            return new RateLimiter(config, new LocalLimitStore(), null, observer);
        }
        // Our own loops use epoll; without this Lettuce warns at every start that it chose epoll over
        // io_uring. An operator's own -Dio.lettuce.core.iouring wins.
        if (System.getProperty("io.lettuce.core.iouring") == null) {
            System.setProperty("io.lettuce.core.iouring", "false");
        }
        LimitsConfig.Redis r = config.redis();
        if (loops != null && Transports.socketChannelClass() != loopChannel) {
            log.info(
                    "Redis limits on Lettuce's own threads: it runs {}, the server's loops {}",
                    Transports.socketChannelClass().getSimpleName(),
                    loopChannel.getSimpleName());
            loops = null;
        }
        if (loops == null) {
            RedisLimitStore redis = new RedisLimitStore(r.url(), r.cluster(), r.prefix(), r.timeout(), null);
            return new RateLimiter(config, new LocalLimitStore(), redis, observer);
        }
        OnLoops onLoops = new OnLoops();
        Map<EventExecutor, RedisLimitStore> byLoop = new IdentityHashMap<>();
        List<EventLoop> all = OnLoops.loopsOf(loops);
        for (EventLoop loop : all) {
            byLoop.put(loop, new RedisLimitStore(r.url(), r.cluster(), r.prefix(), r.timeout(), onLoops.on(loop)));
        }
        // The first loop's store also takes the corrections, flushed on that loop.
        EventLoop first = all.get(0);
        return new RateLimiter(config, new LocalLimitStore(), byLoop.get(first), byLoop, onLoops, first, observer);
    }

    /** The Redis store requests of {@code loop} use (null when limits are local). */
    RedisLimitStore storeFor(EventExecutor loop) {
        return byLoop.getOrDefault(loop, redis);
    }

    /** Whether every connection to Redis is open (for readiness). */
    public boolean redisConnected() {
        if (byLoop.isEmpty()) {
            return redis != null && redis.isConnected();
        }
        for (RedisLimitStore s : byLoop.values()) {
            if (!s.isConnected()) {
                return false;
            }
        }
        return true;
    }

    /** The shared store, or null when limits are kept in this process. */
    public RedisLimitStore redis() {
        return redis;
    }

    public LimitsConfig config() {
        return rules.config();
    }

    /**
     * The checks for this request, or null when no limit applies to it (then it proceeds at once).
     *
     * @param leaseTtl how long the request may run (its route's timeout): an in-flight lease lives a little
     *     longer
     */
    public RateLimitPlan plan(
            Exchange exchange, ApiEndpoint endpoint, long bodyBytes, long maxTokens, Duration leaseTtl, Object peer) {
        Rules r = rules;
        LimitsConfig config = r.config();
        RateLimits global = r.global();
        KeyRates key = keyRates(exchange, config);
        Rates ip = config.perIp();
        if (key == null && !ip.any() && global == null) {
            return null;
        }
        // Embeddings and Anthropic's count_tokens produce no output tokens: only the input is charged.
        long output = endpoint == ApiEndpoint.EMBEDDINGS || endpoint == ApiEndpoint.COUNT_TOKENS
                ? 0
                : maxTokens >= 0 ? maxTokens : config.defaultMaxTokens();
        long tokens = (bodyBytes + 3) / 4 + output;
        Builder b = new Builder();
        if (key != null) {
            b.rates(LimitScope.KEY, key.rates, tokens);
            KeyLimits k = key.limits;
            if (k.maxParallel() > 0) {
                Limit l = Limit.parallel(key.scope + "parallel", k.maxParallel(), leaseTtl.plus(LEASE_SLACK));
                b.add(LimitScope.KEY, LimitKind.PARALLEL, l.lease(exchange.requestId()));
            }
            if (k.tokenQuotaDaily() > 0 || k.tokenQuotaMonthly() > 0) {
                Instant now = Instant.now();
                if (k.tokenQuotaDaily() > 0) {
                    Limit l = Limit.dailyQuota(key.scope + "tokens", k.tokenQuotaDaily(), now);
                    b.add(LimitScope.KEY, LimitKind.QUOTA_DAILY, tokenCheck(l, tokens));
                }
                if (k.tokenQuotaMonthly() > 0) {
                    Limit l = Limit.monthlyQuota(key.scope + "tokens", k.tokenQuotaMonthly(), now);
                    b.add(LimitScope.KEY, LimitKind.QUOTA_MONTHLY, tokenCheck(l, tokens));
                }
            }
        }
        if (ip.any() && peer instanceof InetSocketAddress a && a.getAddress() != null) {
            b.rates(LimitScope.IP, RateLimits.of("ip:" + a.getAddress().getHostAddress() + ":", ip), tokens);
        }
        if (global != null) {
            b.rates(LimitScope.GLOBAL, global, tokens);
        }
        return b.build(tokens);
    }

    /** A scope's per-minute limits, made once per scope and limit figures. */
    record RateLimits(Limit rpm, Limit tpm) {
        static RateLimits of(String prefix, Rates r) {
            return new RateLimits(
                    r.rpm() > 0 ? Limit.of(prefix + "rpm", r.rpm(), MINUTE) : null,
                    r.tpm() > 0 ? Limit.of(prefix + "tpm", r.tpm(), MINUTE) : null);
        }
    }

    /** A key's limits as they were when cached, and its scope's rate limits. */
    private record KeyRates(KeyLimits limits, String scope, RateLimits rates) {}

    /** Collects a plan's checks in arrays (a request has at most seven). */
    private static final class Builder {
        private final LimitCheck[] checks = new LimitCheck[8];
        private final LimitScope[] scopes = new LimitScope[8];
        private final LimitKind[] kinds = new LimitKind[8];
        private int n;

        void rates(LimitScope scope, RateLimits r, long tokens) {
            if (r.rpm() != null) {
                add(scope, LimitKind.RPM, r.rpm().cost(1));
            }
            if (r.tpm() != null) {
                add(scope, LimitKind.TPM, tokenCheck(r.tpm(), tokens));
            }
        }

        void add(LimitScope scope, LimitKind kind, LimitCheck check) {
            checks[n] = check;
            scopes[n] = scope;
            kinds[n] = kind;
            n++;
        }

        RateLimitPlan build(long tokens) {
            return new RateLimitPlan(
                    Arrays.asList(Arrays.copyOf(checks, n)), Arrays.copyOf(scopes, n), Arrays.copyOf(kinds, n), tokens);
        }
    }

    private static LimitCheck tokenCheck(Limit l, long tokens) {
        return l.cost(Math.min(tokens, l.limit()));
    }

    /**
     * The request's key's limits, or null when it has none: cached per key (a database key by its id and
     * settings, a config-file key by its hash), so a request builds no strings or limits for its key.
     */
    private KeyRates keyRates(Exchange exchange, LimitsConfig config) {
        KeyPrincipal p = exchange.principal();
        KeyLimits limits = keyLimits(p, config);
        if (!limits.any()) {
            return null;
        }
        Object id = p != null ? (Object) p.id() : exchange.keyHash();
        if (id == null) {
            return null; // no key at all: only the address and global limits apply
        }
        KeyRates cached = keyCache.get(id);
        if (cached != null && cached.limits.equals(limits)) {
            return cached;
        }
        if (keyCache.size() >= MAX_CACHED_KEYS) {
            keyCache.clear(); // rare: more keys active than this; they are cached again as they come
        }
        String scope = "key:"
                + (p != null
                        ? Long.toString(p.id())
                        : "f" + exchange.keyHash().hex().substring(0, 16)) + ":";
        KeyRates made = new KeyRates(limits, scope, RateLimits.of(scope, new Rates(limits.rpm(), limits.tpm())));
        keyCache.put(id, made);
        return made;
    }

    /** The key's own limits where it sets them, the config's defaults elsewhere. */
    private static KeyLimits keyLimits(KeyPrincipal principal, LimitsConfig config) {
        KeyLimits d = config.keyDefaults();
        if (principal == null) {
            return d;
        }
        KeySettings s = principal.key().settings();
        if (s.rpm() == null
                && s.tpm() == null
                && s.maxParallel() == null
                && s.tokenQuotaDaily() == null
                && s.tokenQuotaMonthly() == null) {
            return d;
        }
        return new KeyLimits(
                s.rpm() != null ? s.rpm() : d.rpm(),
                s.tpm() != null ? s.tpm() : d.tpm(),
                s.maxParallel() != null ? s.maxParallel() : d.maxParallel(),
                s.tokenQuotaDaily() != null ? s.tokenQuotaDaily() : d.tokenQuotaDaily(),
                s.tokenQuotaMonthly() != null ? s.tokenQuotaMonthly() : d.tokenQuotaMonthly());
    }

    /**
     * Decides the plan; {@code proceed} runs on the exchange's loop once admitted. A refusal is answered
     * here (429, or 503 when the store failed closed); either way {@code request} is released here unless
     * {@code proceed} ran, which then owns it.
     */
    public void admit(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            Exchange exchange,
            RateLimitPlan plan,
            Runnable proceed) {
        if (redis == null) {
            CompletableFuture<Decision> f = local.acquire(plan.checks()).toCompletableFuture();
            decided(ctx, request, exchange, plan, proceed, local, f.getNow(null), f.isCompletedExceptionally());
            return;
        }
        long started = System.nanoTime();
        EventLoop loop = ctx.channel().eventLoop();
        RedisLimitStore store = storeFor(loop);
        store.acquire(plan.checks()).whenComplete((decision, failure) -> {
            observer.storeRoundTrip(System.nanoTime() - started);
            if (loop.inEventLoop()) { // Lettuce on our loops: the answer is read where the request waits
                resume(ctx, request, exchange, plan, proceed, store, decision, failure);
                return;
            }
            try {
                loop.execute(() -> resume(ctx, request, exchange, plan, proceed, store, decision, failure));
            } catch (RejectedExecutionException stopped) {
                // The loop is gone, and the connection with it.
                request.release();
                if (decision != null && decision.allowed()) {
                    new Admission(plan, decision, store, this).giveBack();
                }
            }
        });
    }

    private void resume(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            Exchange exchange,
            RateLimitPlan plan,
            Runnable proceed,
            RedisLimitStore store,
            Decision decision,
            Throwable failure) {
        // The request's lines (a failover starting, a warning) carry its id, as inside the pipeline.
        boolean mdc = ExchangeMdc.enter(exchange);
        try {
            resumeOnLoop(ctx, request, exchange, plan, proceed, store, decision, failure);
        } finally {
            ExchangeMdc.exit(mdc);
        }
    }

    private void resumeOnLoop(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            Exchange exchange,
            RateLimitPlan plan,
            Runnable proceed,
            RedisLimitStore store,
            Decision decision,
            Throwable failure) {
        LimitStore by = store;
        if (failure != null) {
            if (!rules.config().redis().failOpen()) {
                decided(ctx, request, exchange, plan, proceed, store, null, true);
                return;
            }
            observer.failedOpen();
            failOpenWarning.warn(describe(failure));
            CompletableFuture<Decision> f = local.acquire(plan.checks()).toCompletableFuture();
            by = local;
            decision = f.getNow(null);
            failure = f.isCompletedExceptionally() ? new IllegalStateException("local limits failed") : null;
        }
        decided(ctx, request, exchange, plan, proceed, by, decision, failure != null);
    }

    private void decided(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            Exchange exchange,
            RateLimitPlan plan,
            Runnable proceed,
            LimitStore by,
            Decision decision,
            boolean failed) {
        if (!ctx.channel().isActive() || exchange.isCompleted() || Exchange.of(ctx.channel()) != exchange) {
            request.release(); // the client left, or a stop already answered: nobody to answer
            if (!failed && decision.allowed()) {
                new Admission(plan, decision, by, this).giveBack();
            }
            return;
        }
        if (failed) {
            request.release();
            Responses.sendError(ctx, STORE_DOWN);
            return;
        }
        exchange.admission(new Admission(plan, decision, by, this));
        if (decision.allowed()) {
            proceed.run();
            return;
        }
        request.release();
        refuse(ctx, plan, decision);
    }

    private void refuse(ChannelHandlerContext ctx, RateLimitPlan plan, Decision decision) {
        int i = reported(plan, decision);
        observer.limited(plan.scopes()[i].label, plan.kinds()[i].label);
        ApiError error = RateLimitErrors.of(plan, decision, i);
        Responses.noteError(ctx, error);
        FullHttpResponse response = Responses.error(ctx.channel(), error);
        RateLimitHeaders.addRetryAfter(response.headers(), decision.retryAfter());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** The refused check the answer names: a spent quota first (retrying soon will not help), else the first. */
    private static int reported(RateLimitPlan plan, Decision decision) {
        int first = -1;
        for (int i = 0; i < plan.size(); i++) {
            if (!decision.results().get(i).fits()) {
                if (plan.kinds()[i].isQuota()) {
                    return i;
                }
                if (first < 0) {
                    first = i;
                }
            }
        }
        return Math.max(first, 0);
    }

    void correct(LimitStore by, Limit limit, long delta) {
        if (batched != null && by instanceof RedisLimitStore) { // any loop's: one Redis
            batched.add(limit, delta);
        } else {
            send(limit, delta, by);
        }
    }

    private void send(Limit limit, long delta) {
        send(limit, delta, redis);
    }

    private void send(Limit limit, long delta, LimitStore by) {
        by.correct(limit, delta).whenComplete((ok, e) -> {
            if (e != null) {
                correctionWarning.warn(describe(e));
            }
        });
    }

    void release(LimitStore by, Limit limit, String lease) {
        by.release(limit, lease).whenComplete((ok, e) -> {
            if (e != null) {
                correctionWarning.warn(describe(e));
            }
        });
    }

    /** A store failure in a few words; never the Redis URL (it may hold a password). */
    private static String describe(Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return c.getClass().getSimpleName();
    }

    @Override
    public void close() {
        if (batched != null) {
            batched.close(); // before the store: the last corrections still go out
        }
        if (byLoop.isEmpty() && redis != null) {
            redis.close();
        }
        for (RedisLimitStore s : byLoop.values()) {
            s.close();
        }
        if (onLoops != null) {
            onLoops.close();
        }
        local.close();
    }
}
