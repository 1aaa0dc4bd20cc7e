package io.aigw.core.limits;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link LimitStore} shared by every replica through Redis ({@code limits.store: redis}), with Lettuce, on a
 * standalone server, through Sentinel, or on a Redis Cluster. Each {@link #acquire} is one round trip: one
 * Lua script (EVALSHA, EVAL when the server answers NOSCRIPT) that reads every check's state, decides all of
 * them, and charges all or none, atomically on the server and on the server's clock ({@code TIME}), so
 * replicas with drifting clocks still agree. A rate (scope, window) is a small hash {@code {d: debt, t: ms}}
 * that expires when its debt would have drained (plus a second); a quota period is a counter that expires an
 * hour after the period ends; a scope's leases are a sorted set (lease id → expiry ms on Redis's clock) that
 * expires with its last lease. Idle scopes cost nothing.
 *
 * <p>Never blocks the caller: the connection is opened asynchronously (a failed first connection is
 * retried by later calls, at most once per {@code timeout}; once connected Lettuce reconnects by itself),
 * commands are rejected at once while disconnected rather than queued, and every stage completes within
 * {@code timeout}, exceptionally with {@link LimitStoreUnavailableException} when Redis did not answer.
 * Stages complete on Lettuce's I/O threads (or the JDK's timeout thread): callers hop back to their loop.
 *
 * <p>Keys are {@code prefix + state key} (see {@link Limit}). A script's keys must all be in one Cluster slot,
 * so on a cluster the prefix must carry a hash tag ({@code {…}}, as {@link #DEFAULT_PREFIX} does) and a
 * prefix without one is refused: every limit of aigw then lives on one node (the cluster gives
 * availability, not a spread of this small load).
 */
public final class RedisLimitStore implements LimitStore {

    public static final String DEFAULT_PREFIX = "{aigw-limits}:";

    /**
     * ARGV: mode ('a' acquire, 'c' correct, 'l' release), then per key: kind ('r' rate, 'q' quota, 'p'
     * leases), limit, window_ms (a lease's time to live), cost (or delta), extra (a quota's period end ms, a
     * lease id). An acquire answers {ok, now_ms, then per key: state before (a rate's debt, a quota's used, the
     * others' leases), lease already held (0/1), ms until the others' soonest lease expires (-1: none)}.
     */
    static final String SCRIPT = """
            local tm = redis.call('TIME')
            local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
            local function int(x) return string.format('%.0f', x) end
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
              redis.call('HSET', key, 'd', int(d), 't', int(now))
              redis.call('PEXPIRE', key, int(math.ceil(d / limit) + 1000))
            end
            local function used_of(key, period_end)
              if now >= period_end + GRACE_MS then return 0 end
              local u = redis.call('GET', key)
              if not u then return 0 end
              return tonumber(u)
            end
            local function store_used(key, u, period_end)
              if u <= 0 or now >= period_end + GRACE_MS then
                redis.call('DEL', key)
                return
              end
              redis.call('SET', key, int(u), 'PXAT', int(period_end + GRACE_MS))
            end
            if ARGV[1] == 'l' then
              redis.call('ZREM', KEYS[1], ARGV[6])
              return {1}
            end
            if ARGV[1] == 'c' then
              local kind, limit, w, delta = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
              if kind == 'q' then
                local pe = tonumber(ARGV[6])
                local u = used_of(KEYS[1], pe) + delta
                if u > 4503599627370496 then u = 4503599627370496 end
                store_used(KEYS[1], u, pe)
                return {1}
              end
              local d = debt_of(KEYS[1], limit) + delta * w
              if d < 0 then d = 0 end
              if d > 4503599627370496 then d = 4503599627370496 end
              store(KEYS[1], d, limit)
              return {1}
            end
            local before, held, soon = {}, {}, {}
            local ok = 1
            for i = 1, #KEYS do
              local b = 2 + (i - 1) * 5
              local kind, limit, w, cost, x = ARGV[b], tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), ARGV[b + 4]
              held[i], soon[i] = 0, -1
              if kind == 'r' then
                before[i] = debt_of(KEYS[i], limit)
                if before[i] + cost * w > limit * w then ok = 0 end
              elseif kind == 'q' then
                before[i] = used_of(KEYS[i], tonumber(x))
                if before[i] + cost > limit then ok = 0 end
              else
                redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', int(now))
                local n = redis.call('ZCARD', KEYS[i])
                if redis.call('ZSCORE', KEYS[i], x) then
                  held[i] = 1
                  n = n - 1
                end
                before[i] = n
                local first = redis.call('ZRANGE', KEYS[i], 0, 1, 'WITHSCORES')
                if first[1] and first[1] ~= x then
                  soon[i] = tonumber(first[2]) - now
                elseif first[3] then
                  soon[i] = tonumber(first[4]) - now
                end
                if held[i] == 0 and n + 1 > limit then ok = 0 end
              end
            end
            local out = {ok, now}
            for i = 1, #KEYS do
              local b = 2 + (i - 1) * 5
              local kind, limit, w, cost, x = ARGV[b], tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), ARGV[b + 4]
              if ok == 1 then
                if kind == 'r' then
                  store(KEYS[i], before[i] + cost * w, limit)
                elseif kind == 'q' then
                  store_used(KEYS[i], before[i] + cost, tonumber(x))
                else
                  redis.call('ZADD', KEYS[i], int(now + w), x)
                  if redis.call('PTTL', KEYS[i]) < w then redis.call('PEXPIRE', KEYS[i], int(w)) end
                end
              end
              out[#out + 1] = before[i]
              out[#out + 1] = held[i]
              out[#out + 1] = soon[i]
            end
            return out
            """.replace("GRACE_MS", Long.toString(Quotas.GRACE_MS));

    static final String SCRIPT_SHA = sha1Hex(SCRIPT);

    private final AbstractRedisClient client;
    private final boolean cluster;
    /** Lettuce's threads when we made them (null when the caller shares its own). */
    private final ClientResources ownResources;

    private final RedisURI uri;
    private final String prefix;
    private final Duration timeout;
    private final AtomicReference<Attempt> connection = new AtomicReference<>();

    /** An open connection, standalone or cluster, and its script commands. */
    private record Conn(
            StatefulConnection<String, String> stateful, RedisScriptingAsyncCommands<String, String> commands) {}

    /** One connection attempt: its outcome, and when it started (to space out retries after a failure). */
    private record Attempt(CompletableFuture<Conn> future, long startedNanos) {}

    /**
     * @param url a Lettuce URI ({@code redis://host:port/db}, {@code rediss://…}, {@code
     *     redis-sentinel://…}); for a cluster, one or more seed nodes separated by commas ({@code
     *     redis://h1:6379,h2:6379}, an entry without a scheme takes the first one's)
     * @param cluster whether Redis is a Cluster (Lettuce's cluster client: follows the slot map and its
     *     changes)
     * @param prefix prepended to every key; on a cluster it must carry a hash tag
     * @param timeout how long a decision may take before it is "unavailable" ({@code limits.redis.timeout_ms})
     * @param resources shared Lettuce resources (e.g. built on the server's event loops), or null for
     *     resources of this store's own, which {@link #close()} shuts down
     * @throws IllegalArgumentException for a cluster prefix without a hash tag
     */
    public RedisLimitStore(String url, boolean cluster, String prefix, Duration timeout, ClientResources resources) {
        if (cluster && !hasHashTag(prefix)) {
            throw new IllegalArgumentException("a Redis Cluster key prefix needs a hash tag such as {aigw-limits}, "
                    + "so that one request's keys share a slot: " + prefix);
        }
        List<RedisURI> uris = parseUris(url, cluster);
        for (RedisURI u : uris) {
            u.setTimeout(timeout);
        }
        this.uri = uris.get(0);
        this.cluster = cluster;
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
        ClientResources r = resources != null ? resources : ownResources;
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).build();
        if (cluster) {
            RedisClusterClient c = RedisClusterClient.create(r, uris);
            c.setOptions(ClusterClientOptions.builder()
                    .protocolVersion(ProtocolVersion.RESP2) // no HELLO round trip on (re)connect
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    // A failover moves slots: redirects and reconnects reload the slot map. (A node that
                    // newly serves our slot is connected on first use: that first call may be "unavailable".)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAdaptiveRefreshTrigger(ClusterTopologyRefreshOptions.RefreshTrigger.values())
                            .build())
                    .build());
            this.client = c;
        } else {
            RedisClient c = RedisClient.create(r);
            c.setOptions(ClientOptions.builder()
                    .protocolVersion(ProtocolVersion.RESP2) // no HELLO round trip on (re)connect
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .build());
            this.client = c;
        }
        connect(null);
    }

    /** A standalone or Sentinel store (per the URL's scheme). */
    public RedisLimitStore(String url, String prefix, Duration timeout, ClientResources resources) {
        this(url, false, prefix, timeout, resources);
    }

    public RedisLimitStore(String url, Duration timeout) {
        this(url, DEFAULT_PREFIX, timeout, null);
    }

    /** Whether Redis's cluster slot rule applies: a non-empty {@code {tag}}, the first braces of the key. */
    static boolean hasHashTag(String prefix) {
        int open = prefix.indexOf('{');
        if (open < 0) {
            return false;
        }
        int close = prefix.indexOf('}', open + 1);
        return close > open + 1;
    }

    private static List<RedisURI> parseUris(String url, boolean cluster) {
        if (!cluster) {
            return List.of(RedisURI.create(url));
        }
        String[] parts = url.split(",");
        String first = parts[0].trim();
        int schemeEnd = first.indexOf("://");
        String scheme = schemeEnd < 0 ? "redis://" : first.substring(0, schemeEnd + 3);
        List<RedisURI> uris = new ArrayList<>(parts.length);
        for (String p : parts) {
            String t = p.trim();
            uris.add(RedisURI.create(t.contains("://") ? t : scheme + t));
        }
        return uris;
    }

    /** Whether this store talks to a Redis Cluster. */
    public boolean isCluster() {
        return cluster;
    }

    /** Starts a connection attempt unless another caller already replaced {@code failed}. */
    private Attempt connect(Attempt failed) {
        Attempt next = new Attempt(new CompletableFuture<>(), System.nanoTime());
        if (!connection.compareAndSet(failed, next)) {
            return connection.get();
        }
        try {
            openAsync().whenComplete((c, e) -> {
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

    private CompletionStage<Conn> openAsync() {
        if (client instanceof RedisClusterClient c) {
            // The slot map first: a cluster connection needs it (and a retry reloads it).
            return c.refreshPartitionsAsync()
                    .thenCompose(v -> c.connectAsync(StringCodec.UTF8))
                    .thenCompose(x -> openSlotConnection(c, x).handle((ignored, e) -> {
                        if (e != null) {
                            x.closeAsync(); // a later call starts over
                            throw new CompletionException(e);
                        }
                        return new Conn(x, x.async());
                    }));
        }
        return ((RedisClient) client).connectAsync(StringCodec.UTF8, uri).thenApply(x -> new Conn(x, x.async()));
    }

    /**
     * Opens the connection to the node serving our keys' slot now: the cluster client opens node connections
     * on first use, and one still opening would reject the first command (we reject rather than queue while
     * disconnected).
     */
    private CompletionStage<?> openSlotConnection(
            RedisClusterClient c, StatefulRedisClusterConnection<String, String> x) {
        RedisClusterNode node = c.getPartitions().getPartitionBySlot(SlotHash.getSlot(prefix));
        if (node == null) {
            return CompletableFuture.completedFuture(null); // no node serves it yet: the first call fails fast
        }
        return x.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort());
    }

    private CompletableFuture<Conn> connection() {
        Attempt a = connection.get();
        if (a.future().isCompletedExceptionally() && System.nanoTime() - a.startedNanos() >= timeout.toNanos()) {
            a = connect(a);
        }
        return a.future();
    }

    /** Whether a connection is open now (for readiness). */
    public boolean isConnected() {
        CompletableFuture<Conn> f = connection.get().future();
        return f.isDone()
                && !f.isCompletedExceptionally()
                && f.join().stateful().isOpen();
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
        String[] args = new String[1 + 5 * checks.size()];
        args[0] = "a";
        for (int i = 0; i < keys.length; i++) {
            LimitCheck c = checks.get(i);
            keys[i] = prefix + c.limit().stateKey();
            putLimit(args, 1 + 5 * i, c.limit(), c.cost(), c.lease());
        }
        return run(keys, args).thenApply(out -> {
            boolean allowed = ((Long) out.get(0)) == 1L;
            long now = (Long) out.get(1);
            List<Decision.Result> results = new ArrayList<>(keys.length);
            for (int i = 0; i < keys.length; i++) {
                LimitCheck c = checks.get(i);
                long before = (Long) out.get(2 + 3 * i);
                results.add(
                        switch (c.limit().kind()) {
                            case RATE -> Gcra.result(c, before, allowed);
                            case QUOTA -> Quotas.result(c, before, allowed, now);
                            case PARALLEL ->
                                Leases.result(
                                        c, before, (Long) out.get(3 + 3 * i) == 1L, (Long) out.get(4 + 3 * i), allowed);
                        });
            }
            return new Decision(allowed, results);
        });
    }

    /** One limit's five script arguments from {@code at}: kind, limit, window ms, cost, extra. */
    private static void putLimit(String[] args, int at, Limit l, long cost, String lease) {
        args[at] = switch (l.kind()) {
            case RATE -> "r";
            case QUOTA -> "q";
            case PARALLEL -> "p";
        };
        args[at + 1] = Long.toString(l.limit());
        args[at + 2] = Long.toString(l.windowMillis());
        args[at + 3] = Long.toString(cost);
        args[at + 4] = switch (l.kind()) {
            case RATE -> "";
            case QUOTA -> Long.toString(l.periodEndMillis());
            case PARALLEL -> lease;
        };
    }

    @Override
    public CompletionStage<Void> correct(Limit limit, long delta) {
        try {
            // The same bounds as the local store.
            switch (limit.kind()) {
                case RATE -> Gcra.corrected(0, delta, limit);
                case QUOTA -> Quotas.corrected(0, delta);
                case PARALLEL ->
                    throw new IllegalArgumentException("a parallel limit is released, not corrected: " + limit.scope());
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String[] keys = {prefix + limit.stateKey()};
        String[] args = new String[6];
        args[0] = "c";
        putLimit(args, 1, limit, 0, null);
        args[4] = Long.toString(delta);
        return run(keys, args).thenApply(out -> null);
    }

    @Override
    public CompletionStage<Void> release(Limit parallel, String lease) {
        if (parallel.kind() != Limit.Kind.PARALLEL) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("only a parallel limit has leases: " + parallel.scope()));
        }
        if (lease == null || lease.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String[] keys = {prefix + parallel.stateKey()};
        String[] args = new String[6];
        args[0] = "l";
        putLimit(args, 1, parallel, 1, lease);
        return run(keys, args).thenApply(out -> null);
    }

    /** One round trip: EVALSHA, or EVAL after NOSCRIPT; bounded by the timeout, failures made "unavailable". */
    private CompletableFuture<List<Object>> run(String[] keys, String[] args) {
        CompletableFuture<List<Object>> result = connection()
                .thenCompose(c -> c.commands()
                        .<List<Object>>evalsha(SCRIPT_SHA, ScriptOutputType.MULTI, keys, args)
                        .toCompletableFuture()
                        .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                                ? c.commands()
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
            // An attempt still opening is let finish (its connect is bounded by the timeout, a cluster's by a
            // few), so that its channels close before the client and threads go away.
            a.future().thenAccept(c -> c.stateful().close());
            try {
                a.future().get(3 * timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | CancellationException e) {
                // nothing opened, or closed when it does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (ownResources != null) {
            ownResources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
