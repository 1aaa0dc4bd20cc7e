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
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link LimitStore} shared by every replica through Redis ({@code limits.store: redis}), with Lettuce, on a
 * standalone server, through Sentinel, or on a Redis Cluster. Each {@link #acquire} is decided in one
 * round trip by a Lua script (EVALSHA, EVAL when the server answers NOSCRIPT) that reads every check's state,
 * decides all of them, and charges all or none, atomically on the server and on the server's clock ({@code
 * TIME}), so replicas with drifting clocks still agree. A rate (scope, window) is a small hash {@code {d:
 * debt, t: ms}} that expires when its debt would have drained (plus a second); a quota period is a counter
 * that expires an hour after the period ends; a scope's leases are a sorted set (lease id → expiry ms on
 * Redis's clock) that expires with its last lease. Idle scopes cost nothing.
 *
 * <p>Smart batching: at most one script call is in flight per store. A call made while none is goes out at
 * once; calls made during a round trip queue and go together, in call order, in the next one (up to {@link
 * #MAX_BATCH_OPS}), so under load Redis runs one script per round trip rather than one per request (each key
 * read and written once per batch, TIME once), and an idle store adds no delay. A queued call waits for the
 * round trip in flight (and for earlier batches, when more than a batch's worth is queued).
 *
 * <p>Never blocks the caller: the connection is opened asynchronously (a failed first connection is
 * retried by later calls, at most once per {@code timeout}; once connected Lettuce reconnects by itself),
 * commands are rejected at once while disconnected rather than queued, and every stage completes within
 * {@code timeout} of the call (queueing included), exceptionally with {@link LimitStoreUnavailableException}
 * when Redis did not answer. Stages complete on Lettuce's I/O threads (an event loop: ours when Lettuce runs
 * on our loops, whose scheduler then also runs the batches' deadlines), on the deadline wheel's thread for a
 * batch sent from elsewhere, or at once on the caller's thread when Redis is known to be down: callers hop
 * back to their loop.
 *
 * <p>Keys are {@code prefix + state key} (see {@link Limit}). A script's keys must all be in one Cluster slot,
 * so on a cluster the prefix must carry a hash tag ({@code {…}}, as {@link #DEFAULT_PREFIX} does) and a
 * prefix without one is refused: every limit of aigw then lives on one node (the cluster gives
 * availability, not a spread of this small load).
 */
public final class RedisLimitStore implements LimitStore {

    public static final String DEFAULT_PREFIX = "{aigw-limits}:";

    /**
     * A batch of operations in queue order (ARGV as {@link RedisBatch} writes them), each decided as if alone
     * and in that order, all on one reading of Redis's clock. A rate's debt or a quota's count is read once
     * per key into {@code val} before the operations (every rate and quota of the batch is used by one of
     * them), updated in memory by each operation, and written back once at the end (only if an operation
     * charged or corrected it); leases are few per request and go to their sorted set directly. Written for
     * Lua's interpreter: globals and per-limit figures in locals and tables read once, counters instead of
     * {@code #}, each argument converted once (0.7× the time per batch of the first version, measured with
     * {@code redis-benchmark} and {@code INFO commandstats}). Answers {now_ms, then per acquire: ok, and per check: state before (a rate's debt, a quota's
     * used, the others' leases), and for a lease also: lease already held (0/1), ms until the others' soonest
     * lease expires (-1: none)}.
     */
    static final String SCRIPT = """
            local call, tonumber, ARGV, KEYS = redis.call, tonumber, ARGV, KEYS
            local tm = call('TIME')
            local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
            local MAXV = 4503599627370496
            local fmt = string.format
            local nl = tonumber(ARGV[1])
            local sk, skind, slim, sw, cap = {}, {}, {}, {}, {}
            local val, kind, lim, pend, dirty = {}, {}, {}, {}, {}
            for s = 1, nl do
              local b = 2 + (s - 1) * 5
              local k, kd, limit, w = tonumber(ARGV[b]), ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
              sk[s], skind[s], slim[s], sw[s] = k, kd, limit, w
              if kd == 'r' then
                cap[s] = limit * w
                lim[k] = limit
                if val[k] == nil then
                  local v = 0
                  local h = call('HMGET', KEYS[k], 'd', 't')
                  if h[1] then
                    local d = tonumber(h[1])
                    local el = now - tonumber(h[2])
                    if el <= 0 then v = d elseif el * limit < d then v = d - el * limit end
                  end
                  val[k], kind[k] = v, 'r'
                end
              elseif kd == 'q' then
                local pe = tonumber(ARGV[b + 4])
                cap[s] = limit
                pend[k] = pe
                if val[k] == nil then
                  local v = 0
                  if now < pe + GRACE_MS then
                    local u = call('GET', KEYS[k])
                    if u then v = tonumber(u) end
                  end
                  val[k], kind[k] = v, 'q'
                end
              end
            end
            local out, no = {now}, 1
            local cs, cc, before, held, soon = {}, {}, {}, {}, {}
            local i, nargs = 2 + nl * 5, #ARGV
            while i <= nargs do
              local op = ARGV[i]
              if op == 'a' then
                local n = tonumber(ARGV[i + 1])
                local base = i + 2
                local ok = 1
                for j = 1, n do
                  local s, x = tonumber(ARGV[base]), ARGV[base + 1]
                  base = base + 2
                  cs[j] = s
                  local kd = skind[s]
                  if kd == 'p' then
                    local key = KEYS[sk[s]]
                    cc[j] = x
                    local h, so = 0, -1
                    call('ZREMRANGEBYSCORE', key, '-inf', fmt('%.0f', now))
                    local c = call('ZCARD', key)
                    if call('ZSCORE', key, x) then
                      h = 1
                      c = c - 1
                    end
                    local first = call('ZRANGE', key, 0, 1, 'WITHSCORES')
                    if first[1] and first[1] ~= x then
                      so = tonumber(first[2]) - now
                    elseif first[3] then
                      so = tonumber(first[4]) - now
                    end
                    before[j], held[j], soon[j] = c, h, so
                    if h == 0 and c + 1 > slim[s] then ok = 0 end
                  else
                    local c = tonumber(x)
                    if kd == 'r' then c = c * sw[s] end
                    cc[j] = c
                    local v = val[sk[s]]
                    before[j] = v
                    if v + c > cap[s] then ok = 0 end
                  end
                end
                no = no + 1
                out[no] = ok
                for j = 1, n do
                  local s = cs[j]
                  if skind[s] == 'p' then
                    if ok == 1 then
                      local key, w = KEYS[sk[s]], sw[s]
                      call('ZADD', key, fmt('%.0f', now + w), cc[j])
                      if call('PTTL', key) < w then call('PEXPIRE', key, fmt('%.0f', w)) end
                    end
                    out[no + 1], out[no + 2], out[no + 3] = before[j], held[j], soon[j]
                    no = no + 3
                  else
                    if ok == 1 then
                      local k = sk[s]
                      val[k], dirty[k] = before[j] + cc[j], true
                    end
                    no = no + 1
                    out[no] = before[j]
                  end
                end
                i = base
              elseif op == 'c' then
                local s, delta = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
                local k = sk[s]
                if skind[s] == 'r' then delta = delta * sw[s] end
                local v = val[k] + delta
                if v < 0 then v = 0 end
                if v > MAXV then v = MAXV end
                val[k], dirty[k] = v, true
                i = i + 3
              else
                call('ZREM', KEYS[sk[tonumber(ARGV[i + 1])]], ARGV[i + 2])
                i = i + 3
              end
            end
            for k in pairs(dirty) do
              local v = val[k]
              if kind[k] == 'r' then
                if v <= 0 then
                  call('DEL', KEYS[k])
                else
                  call('HSET', KEYS[k], 'd', fmt('%.0f', v), 't', fmt('%.0f', now))
                  call('PEXPIRE', KEYS[k], fmt('%.0f', math.ceil(v / lim[k]) + 1000))
                end
              elseif v <= 0 or now >= pend[k] + GRACE_MS then
                call('DEL', KEYS[k])
              else
                call('SET', KEYS[k], fmt('%.0f', v), 'PXAT', fmt('%.0f', pend[k] + GRACE_MS))
              end
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

    /** Operations waiting for the batch in flight to answer (many callers, one sender at a time). */
    private final Queue<RedisBatch.Op> queue = new ConcurrentLinkedQueue<>();
    /** Whether a batch is in flight: who sets it takes and sends the next batch. */
    private final AtomicBoolean inFlight = new AtomicBoolean();

    private volatile boolean closed;

    /** Runs the background connection retries (Lettuce's computation threads). */
    private final ScheduledExecutorService timers;

    /**
     * The deadlines of batches sent from a thread that is not an event loop (an event loop's own scheduler
     * takes the others): a wheel, because one is set and cancelled per batch, from any thread, and a wheel
     * takes both without waking a thread (a scheduled executor's heap and wake-ups cost about 3 µs per batch,
     * measured). Ticks of 5 ms: a deadline fires at most that late. Its thread starts at its first use.
     */
    private final HashedWheelTimer deadlines;

    /**
     * A batch's size bounds: a script call stays short for Redis, whose other clients wait for it, and 64
     * concurrent callers (the bench's) fill one batch. Under the build's paranoid leak detection a burst of
     * 2,000 calls took 5.6–6.2 s with batches of 256 against 2.2 s with 64 (Lettuce's buffers).
     */
    static final int MAX_BATCH_OPS = 64;

    static final int MAX_BATCH_ARGS = 1024;

    /**
     * Each batch's operations have deadlines of their own (below), so Lettuce's per-command timeout would only
     * repeat them, on a timer thread of its own (0.45 µs of CPU per request, measured). Without it a
     * command that Redis never answers stays with Lettuce until the connection drops; this bounds how many
     * may (one batch leaves per timeout while Redis is silent): past it, a call fails at once.
     */
    static final int MAX_UNANSWERED_COMMANDS = 256;

    private static final TimeoutOptions NO_COMMAND_TIMEOUTS =
            TimeoutOptions.builder().timeoutCommands(false).build();

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
                    .timeoutOptions(NO_COMMAND_TIMEOUTS)
                    .requestQueueSize(MAX_UNANSWERED_COMMANDS)
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
                    .timeoutOptions(NO_COMMAND_TIMEOUTS)
                    .requestQueueSize(MAX_UNANSWERED_COMMANDS)
                    .build());
            this.client = c;
        }
        this.timers = r.eventExecutorGroup();
        // Made last: a constructor that refused its arguments leaves no thread behind.
        this.deadlines =
                new HashedWheelTimer(new DefaultThreadFactory("aigw-limits-deadlines", true), 5, TimeUnit.MILLISECONDS);
        connect(null);
        // A first connection that failed is retried without waiting for a call: a gateway started before
        // Redis must turn ready by itself (a balancer sends a not-ready instance no traffic to retry with).
        // Once connected, Lettuce reconnects on its own.
        long every = Math.min(RETRY_EVERY_MS, Math.max(100, timeout.toMillis()));
        this.retries = timers.scheduleWithFixedDelay(this::retryIfDown, every, every, TimeUnit.MILLISECONDS);
    }

    /** The longest wait between two connection attempts while no connection was ever made. */
    static final long RETRY_EVERY_MS = 500;

    private final ScheduledFuture<?> retries;

    private void retryIfDown() {
        if (!closed) {
            connection();
        }
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
        RedisBatch.Acquire op = new RedisBatch.Acquire(List.copyOf(checks), deadline());
        submit(op);
        return op.future;
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
        RedisBatch.Correct op = new RedisBatch.Correct(limit, delta, deadline());
        submit(op);
        return op.future;
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
        RedisBatch.Release op = new RedisBatch.Release(parallel, lease, deadline());
        submit(op);
        return op.future;
    }

    private long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    /**
     * Queues the operation and sends a batch at once unless one is in flight: a lone operation goes out
     * immediately, and under load the operations that arrive during a round trip go together in the next one
     * (one script call, one TIME, one read and one write per key), so Redis's work grows with round trips, not
     * with requests.
     */
    private void submit(RedisBatch.Op op) {
        if (closed) {
            op.future().completeExceptionally(unavailable(new IllegalStateException("closed")));
            return;
        }
        queue.add(op);
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop == null) {
            drain();
            return;
        }
        // Called on an event loop (a request being admitted): send once the loop has handled what it read
        // in this round, so the requests of one read go in one batch instead of the first alone.
        if (drainQueued.compareAndSet(false, true)) {
            try {
                loop.execute(this::queuedDrain);
            } catch (RejectedExecutionException stopping) {
                queuedDrain();
            }
        }
    }

    private final AtomicBoolean drainQueued = new AtomicBoolean();

    private void queuedDrain() {
        drainQueued.set(false);
        drain();
    }

    /** Sends batches while operations are queued and none is in flight; a batch answered at once loops here. */
    private void drain() {
        while (!queue.isEmpty() && inFlight.compareAndSet(false, true)) {
            RedisBatch batch = take();
            if (batch == null) {
                inFlight.set(false);
                continue;
            }
            CompletableFuture<List<Object>> reply = send(batch);
            if (!reply.isDone()) {
                watch(batch, reply);
                return;
            }
            inFlight.set(false);
            if (reply.isCompletedExceptionally()) {
                settle(batch, null, failure(reply));
            } else {
                settle(batch, reply.join(), null);
            }
        }
    }

    /**
     * Waits for the batch's reply, failing each operation as its own deadline passes meanwhile (one timer per
     * batch, at its oldest operation's deadline, then the next one's); once every operation has failed, the
     * next batch may go while this one's reply is still due.
     */
    private void watch(RedisBatch batch, CompletableFuture<List<Object>> reply) {
        long first = Long.MAX_VALUE;
        for (RedisBatch.Op op : batch.ops) {
            first = Math.min(first, op.deadlineNanos);
        }
        batch.timer = schedule(() -> expire(batch), first - System.nanoTime());
        reply.whenComplete((out, e) -> {
            if (batch.finish()) {
                Runnable cancel = batch.timer;
                if (cancel != null) {
                    cancel.run();
                }
                inFlight.set(false);
                drain(); // the next batch leaves before this one's callers run
            }
            settle(batch, out, e); // operations already failed by their deadline stay failed
        });
    }

    private void expire(RedisBatch batch) {
        if (batch.isFinished()) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (RedisBatch.Op op : batch.ops) {
            if (!op.future().isDone()) {
                long left = op.deadlineNanos - now;
                if (left <= 0) {
                    op.future()
                            .completeExceptionally(unavailable(
                                    new TimeoutException("no answer within " + timeout.toMillis() + " ms")));
                } else {
                    next = Math.min(next, left);
                }
            }
        }
        if (next != Long.MAX_VALUE) {
            batch.timer = schedule(() -> expire(batch), next);
        } else if (batch.finish()) {
            inFlight.set(false);
            drain();
        }
    }

    /**
     * Runs {@code task} after the delay; answers how to cancel it, or null if it will not run. On an event
     * loop (a request being admitted, Redis's answer read: always, with Lettuce on our loops) the loop's own
     * scheduler takes it, with no thread to wake; elsewhere the wheel.
     */
    private Runnable schedule(Runnable task, long delayNanos) {
        long delay = Math.max(0, delayNanos);
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop != null) {
            try {
                Future<?> f = loop.schedule(task, delay, TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException stopping) {
                // the loop is shutting down: the wheel still runs
            }
        }
        try {
            Timeout t = deadlines.newTimeout(x -> task.run(), delay, TimeUnit.NANOSECONDS);
            return t::cancel;
        } catch (IllegalStateException closing) {
            return null; // the store is closing: the connection's close fails the reply
        }
    }

    /**
     * The next batch from the queue (up to {@link #MAX_BATCH_OPS} operations and about {@link #MAX_BATCH_ARGS}
     * arguments), or null if every queued operation had already waited its whole timeout (those fail now).
     */
    private RedisBatch take() {
        List<RedisBatch.Op> ops = new ArrayList<>();
        int args = 0;
        long now = System.nanoTime();
        RedisBatch.Op op;
        while (ops.size() < MAX_BATCH_OPS && args < MAX_BATCH_ARGS && (op = queue.poll()) != null) {
            if (op.deadlineNanos - now <= 0) {
                op.future()
                        .completeExceptionally(
                                unavailable(new TimeoutException("waited " + timeout.toMillis() + " ms in the queue")));
                continue;
            }
            ops.add(op);
            args += op.argCount();
        }
        if (ops.isEmpty()) {
            return null;
        }
        try {
            return new RedisBatch(ops, prefix);
        } catch (RuntimeException e) {
            // Never expected; but an operation taken from the queue must not be left waiting forever.
            for (RedisBatch.Op taken : ops) {
                taken.future().completeExceptionally(unavailable(e));
            }
            return null;
        }
    }

    /** One round trip for the batch: EVALSHA, or EVAL after NOSCRIPT. */
    private CompletableFuture<List<Object>> send(RedisBatch b) {
        String[] keys = b.keys;
        String[] args = b.args;
        CompletableFuture<List<Object>> result;
        try {
            result = connection()
                    .thenCompose(c -> c.commands()
                            .<List<Object>>evalsha(SCRIPT_SHA, ScriptOutputType.MULTI, keys, args)
                            .toCompletableFuture()
                            .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                                    ? c.commands()
                                            .<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args)
                                            .toCompletableFuture()
                                    : CompletableFuture.failedFuture(e)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return result;
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.join();
            return new IllegalStateException("not failed");
        } catch (CompletionException | CancellationException e) {
            return e;
        }
    }

    /** Completes the batch's operations from the reply, or fails them all as "unavailable". */
    private static void settle(RedisBatch batch, List<Object> out, Throwable e) {
        if (e != null) {
            batch.fail(unavailable(unwrap(e)));
            return;
        }
        try {
            batch.complete(out);
        } catch (RuntimeException bad) {
            batch.fail(unavailable(bad)); // an unexpected reply: no operation is left waiting
        }
    }

    private static LimitStoreUnavailableException unavailable(Throwable cause) {
        return new LimitStoreUnavailableException("rate limit store (Redis) unavailable: " + cause, cause);
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
        closed = true;
        retries.cancel(false);
        deadlines.stop();
        RedisBatch.Op op;
        while ((op = queue.poll()) != null) {
            op.future().completeExceptionally(unavailable(new IllegalStateException("closed")));
        }
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
