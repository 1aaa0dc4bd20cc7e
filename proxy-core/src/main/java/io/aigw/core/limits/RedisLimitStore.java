package io.aigw.core.limits;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link LimitStore} shared by every replica through Redis ({@code limits.store: redis}), with Lettuce.
 * Each {@link #acquire} is one round trip: one Lua script (EVALSHA, EVAL when the server answers
 * NOSCRIPT) that reads every check's debt, decides all of them, and charges all or none, atomically on the
 * server and on the server's clock ({@code TIME}), so replicas with drifting clocks still agree. Each
 * (scope, window) is a small hash {@code {d: debt, t: ms}} that expires when its debt would have drained
 * (plus a second), so idle scopes cost nothing.
 *
 * <p>Never blocks the caller: the connection is opened asynchronously (a failed first connection is
 * retried by later calls, at most once per {@code timeout}; once connected Lettuce reconnects by itself),
 * commands are rejected at once while disconnected rather than queued, and every stage completes within
 * {@code timeout}, exceptionally with {@link LimitStoreUnavailableException} when Redis did not answer.
 * Stages complete on Lettuce's I/O threads (or the JDK's timeout thread): callers hop back to their loop.
 *
 * <p>Keys are {@code prefix + scope + ":" + window_ms}. The default prefix carries a hash tag so that all
 * of one request's keys are in one Redis Cluster slot, as a multi-key script requires.
 */
public final class RedisLimitStore implements LimitStore {

    public static final String DEFAULT_PREFIX = "{aigw-limits}:";

    /** ARGV: mode ('a' acquire, 'c' correct), then per key: limit, window_ms, cost (or delta). */
    static final String SCRIPT = """
            local tm = redis.call('TIME')
            local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
            local function debt_of(key, limit)
              local h = redis.call('HMGET', key, 'd', 't')
              if not h[1] then return 0 end
              local d = tonumber(h[1])
              local el = now - tonumber(h[2])
              if el <= 0 then return d end
              if el * limit >= d then return 0 end
              return d - el * limit
            end
            local function store(key, d, limit)
              if d <= 0 then
                redis.call('DEL', key)
                return
              end
              redis.call('HSET', key, 'd', string.format('%.0f', d), 't', string.format('%.0f', now))
              redis.call('PEXPIRE', key, string.format('%.0f', math.ceil(d / limit) + 1000))
            end
            if ARGV[1] == 'c' then
              local limit, w, delta = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
              local d = debt_of(KEYS[1], limit) + delta * w
              if d < 0 then d = 0 end
              if d > 4503599627370496 then d = 4503599627370496 end
              store(KEYS[1], d, limit)
              return {1}
            end
            local before = {}
            local ok = 1
            for i = 1, #KEYS do
              local b = 2 + (i - 1) * 3
              local limit, w, cost = tonumber(ARGV[b]), tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
              local d = debt_of(KEYS[i], limit)
              before[i] = d
              if d + cost * w > limit * w then ok = 0 end
            end
            local out = {ok}
            for i = 1, #KEYS do
              local b = 2 + (i - 1) * 3
              if ok == 1 then
                store(KEYS[i], before[i] + tonumber(ARGV[b + 2]) * tonumber(ARGV[b + 1]), tonumber(ARGV[b]))
              end
              out[i + 1] = before[i]
            end
            return out
            """;

    static final String SCRIPT_SHA = sha1Hex(SCRIPT);

    private final RedisClient client;
    /** Lettuce's threads when we made them (null when the caller shares its own). */
    private final ClientResources ownResources;

    private final RedisURI uri;
    private final String prefix;
    private final Duration timeout;
    private final AtomicReference<Attempt> connection = new AtomicReference<>();

    /** One connection attempt: its outcome, and when it started (to space out retries after a failure). */
    private record Attempt(CompletableFuture<StatefulRedisConnection<String, String>> future, long startedNanos) {}

    /**
     * @param url a Lettuce URI ({@code redis://host:port/db}, {@code rediss://…}, {@code
     *     redis-sentinel://…})
     * @param prefix prepended to every key
     * @param timeout how long a decision may take before it is "unavailable" ({@code limits.redis.timeout_ms})
     * @param resources shared Lettuce resources (e.g. built on the server's event loops), or null for
     *     resources of this store's own, which {@link #close()} shuts down
     */
    public RedisLimitStore(String url, String prefix, Duration timeout, ClientResources resources) {
        this.uri = RedisURI.create(url);
        this.uri.setTimeout(timeout);
        this.prefix = prefix;
        this.timeout = timeout;
        // Our own resources: few threads (one connection), and reconnect attempts at most 1 s apart so
        // service resumes within about a second of Redis coming back.
        this.ownResources = resources != null
                ? null
                : DefaultClientResources.builder()
                        .ioThreadPoolSize(2)
                        .computationThreadPoolSize(1)
                        .reconnectDelay(Delay.exponential(
                                Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                        .build();
        this.client = RedisClient.create(resources != null ? resources : ownResources);
        client.setOptions(ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2) // no HELLO round trip on (re)connect
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        connect(null);
    }

    public RedisLimitStore(String url, Duration timeout) {
        this(url, DEFAULT_PREFIX, timeout, null);
    }

    /** Starts a connection attempt unless another caller already replaced {@code failed}. */
    private Attempt connect(Attempt failed) {
        Attempt next = new Attempt(new CompletableFuture<>(), System.nanoTime());
        if (!connection.compareAndSet(failed, next)) {
            return connection.get();
        }
        try {
            client.connectAsync(StringCodec.UTF8, uri).whenComplete((c, e) -> {
                if (e != null) {
                    next.future().completeExceptionally(e);
                } else {
                    next.future().complete(c);
                }
            });
        } catch (RuntimeException e) {
            next.future().completeExceptionally(e);
        }
        return next;
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        Attempt a = connection.get();
        if (a.future().isCompletedExceptionally() && System.nanoTime() - a.startedNanos() >= timeout.toNanos()) {
            a = connect(a);
        }
        return a.future();
    }

    /** Whether a connection is open now (for readiness). */
    public boolean isConnected() {
        CompletableFuture<StatefulRedisConnection<String, String>> f =
                connection.get().future();
        return f.isDone() && !f.isCompletedExceptionally() && f.join().isOpen();
    }

    @Override
    public CompletionStage<Decision> acquire(List<LimitCheck> checks) {
        try {
            Gcra.requireDistinct(checks);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (checks.isEmpty()) {
            return CompletableFuture.completedFuture(new Decision(true, List.of()));
        }
        String[] keys = new String[checks.size()];
        String[] args = new String[1 + 3 * checks.size()];
        args[0] = "a";
        for (int i = 0; i < keys.length; i++) {
            LimitCheck c = checks.get(i);
            keys[i] = prefix + c.limit().stateKey();
            args[1 + 3 * i] = Long.toString(c.limit().limit());
            args[2 + 3 * i] = Long.toString(c.limit().windowMillis());
            args[3 + 3 * i] = Long.toString(c.cost());
        }
        return run(keys, args).thenApply(out -> {
            boolean allowed = ((Long) out.get(0)) == 1L;
            List<Decision.Result> results = new ArrayList<>(keys.length);
            for (int i = 0; i < keys.length; i++) {
                results.add(Gcra.result(checks.get(i), (Long) out.get(i + 1), allowed));
            }
            return new Decision(allowed, results);
        });
    }

    @Override
    public CompletionStage<Void> correct(Limit limit, long delta) {
        try {
            Gcra.corrected(0, delta, limit); // the same bounds as the local store
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String[] keys = {prefix + limit.stateKey()};
        String[] args = {"c", Long.toString(limit.limit()), Long.toString(limit.windowMillis()), Long.toString(delta)};
        return run(keys, args).thenApply(out -> null);
    }

    /** One round trip: EVALSHA, or EVAL after NOSCRIPT; bounded by the timeout, failures made "unavailable". */
    private CompletableFuture<List<Object>> run(String[] keys, String[] args) {
        CompletableFuture<List<Object>> result = connection()
                .thenCompose(c -> c.async()
                        .<List<Object>>evalsha(SCRIPT_SHA, ScriptOutputType.MULTI, keys, args)
                        .toCompletableFuture()
                        .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                                ? c.async()
                                        .<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args)
                                        .toCompletableFuture()
                                : CompletableFuture.failedFuture(e)));
        return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            return CompletableFuture.failedFuture(
                    new LimitStoreUnavailableException("rate limit store (Redis) unavailable: " + cause, cause));
        });
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String sha1Hex(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(40);
            for (byte x : h) {
                b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes the connection and, unless shared resources were given, Lettuce's threads (blocking: shutdown only). */
    @Override
    public void close() {
        Attempt a = connection.get();
        if (a != null) {
            a.future().thenAccept(StatefulRedisConnection::close);
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (ownResources != null) {
            ownResources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
