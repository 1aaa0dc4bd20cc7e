package io.aigw.server;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.config.MetricsConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ServerConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.keys.ClientKeys;
import io.aigw.core.keys.KeyDirectory;
import io.aigw.core.keys.KeyStore;
import io.aigw.core.log.RequestLog;
import io.aigw.core.routing.Clock;
import io.aigw.server.admin.AdminKeysEndpoint;
import io.aigw.server.admin.AdminLogStatsEndpoint;
import io.aigw.server.admin.AdminLogsEndpoint;
import io.aigw.server.admin.AdminMetricsSummaryEndpoint;
import io.aigw.server.admin.AdminProviders;
import io.aigw.server.admin.AdminProvidersEndpoint;
import io.aigw.server.admin.AdminUiEndpoint;
import io.aigw.server.endpoint.CountTokensEndpoint;
import io.aigw.server.endpoint.HealthEndpoint;
import io.aigw.server.endpoint.ModelsEndpoint;
import io.aigw.server.endpoint.ProxyEndpoint;
import io.aigw.server.endpoint.ReadinessEndpoint;
import io.aigw.server.endpoint.ResponsesItemEndpoint;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.exchange.ExchangeListeners;
import io.aigw.server.health.Lifecycle;
import io.aigw.server.health.ReadinessCheck;
import io.aigw.server.health.RequestLogCheck;
import io.aigw.server.http.ActiveExchanges;
import io.aigw.server.http.ApiKeyAuthHandler;
import io.aigw.server.http.EndpointRouter;
import io.aigw.server.http.ExchangeStartHandler;
import io.aigw.server.http.RequestLogListener;
import io.aigw.server.keys.KeySpendListener;
import io.aigw.server.limits.LimitsCheck;
import io.aigw.server.limits.RateLimitListener;
import io.aigw.server.limits.RateLimitObserver;
import io.aigw.server.limits.RateLimiter;
import io.aigw.server.logging.AccessLogListener;
import io.aigw.server.metrics.LimitsMetrics;
import io.aigw.server.metrics.MetricsEndpoint;
import io.aigw.server.metrics.MetricsHistory;
import io.aigw.server.metrics.MetricsListener;
import io.aigw.server.metrics.RuntimeGauges;
import io.aigw.server.routing.Routing;
import io.aigw.server.routing.Waits;
import io.aigw.server.runtime.ConfigFactsEndpoint;
import io.aigw.server.runtime.ConfigReloadEndpoint;
import io.aigw.server.runtime.ConfigReloader;
import io.aigw.server.runtime.ConfigSource;
import io.aigw.server.runtime.ConfigWatcher;
import io.aigw.server.runtime.ReloadOutcome;
import io.aigw.server.runtime.RuntimeSnapshot;
import io.aigw.server.trace.Tracing;
import io.aigw.server.upstream.BufferBudget;
import io.aigw.server.upstream.OriginPools;
import io.aigw.server.upstream.UpstreamClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's listening server: binds, wires endpoints, and shuts everything down in order. */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    /** How long cut exchanges get to write their last words (a client not reading may never take them). */
    private static final Duration CUT_WRITE_WAIT = Duration.ofSeconds(2);

    private final ProxyConfig config;
    private final ApiKeyStore keys;
    private final Transport transport = Transport.detect();
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    /** The upstream pools by origin, shared by every runtime snapshot's client. */
    private OriginPools originPools;
    /** The listening sockets (one, or one per loop with SO_REUSEPORT); empty before start. */
    private List<Channel> serverChannels = List.of();
    /** Open client connections; a closed one leaves the group by itself. */
    private final ChannelGroup connections = new DefaultChannelGroup("aigw-clients", GlobalEventExecutor.INSTANCE);

    private final ActiveExchanges active = new ActiveExchanges();
    private final Lifecycle lifecycle = new Lifecycle();
    private final BufferBudget bufferBudget;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean stopped; // guarded by this
    private volatile int cut;
    /** The start's routing (the first snapshot's); reloads carry its state over into new ones. */
    private final Routing initialRouting;
    /** The models list's {@code created}: the start's time, whatever reload came since. */
    private final long startedEpochSeconds = System.currentTimeMillis() / 1000;
    /** The file a reload reads again, or null (a config given in code: reload answers 409). */
    private ConfigSource configSource;
    /** Holds the current runtime snapshot; null before start (read by the signal thread too). */
    private volatile ConfigReloader reloader;
    /** The file watch of {@code config_watch: true}, or null. */
    private ConfigWatcher watcher;
    /** The database keys' directory, or null; part of every snapshot's key check. */
    private KeyDirectory keyDirectory;

    private RequestLog requestLog;
    /** The tracing pipeline, or null when tracing is off. */
    private Tracing tracing;
    /** Null when {@code metrics.enabled} is false. */
    private MetricsEndpoint metricsEndpoint;
    /** The admin console's "last hour"; null when metrics are off. */
    private MetricsHistory metricsHistory;
    /** The console's files, read once at start; every snapshot's route table serves the same. */
    private final AdminUiEndpoint adminUi = new AdminUiEndpoint();
    /** Null when {@code metrics.enabled} is false; its labels follow reloads. */
    private MetricsListener metricsListener;
    /** Null when no limit can apply: none configured and no database keys (whose own limits could). */
    private RateLimiter rateLimiter;
    /** Listeners a test (or an embedding) adds after the server's own; see {@link #withListeners}. */
    private final List<ExchangeListener> extraListeners = new ArrayList<>();

    /** The database keys, or null when {@code keys.store} is off. */
    private ClientKeys clientKeys;
    /** The key store a test (or an embedding) gives instead of the configured one; see {@link #withKeyStore}. */
    private KeyStore givenKeyStore;

    private KeyDirectory.Tuning keyTuning = KeyDirectory.Tuning.DEFAULT;

    private ExchangeListeners listeners = ExchangeListeners.none();
    /** Admin reads of the request log block on JDBC: they run here, never on an event loop. */
    private final ExecutorService adminQueries = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "aigw-admin-query");
        t.setDaemon(true);
        return t;
    });

    public ProxyServer(ProxyConfig config, ApiKeyStore keys) {
        this(config, keys, Clock.system(), Waits.scheduled());
    }

    /** With the time that breakers, cooldowns and retry waits go by (virtual in tests). */
    public ProxyServer(ProxyConfig config, ApiKeyStore keys, Clock clock, Waits waits) {
        this.config = config;
        this.keys = keys;
        this.initialRouting = Routing.of(config, clock, waits);
        this.bufferBudget = new BufferBudget(config.maxBufferedBytes());
    }

    /** The process-wide budget for buffered response bytes (for tests and metrics). */
    public BufferBudget bufferBudget() {
        return bufferBudget;
    }

    /** Starting, ready or draining, as the probes report it. */
    public Lifecycle.Phase phase() {
        return lifecycle.phase();
    }

    /**
     * The routing state new requests take (deployments' breakers and latency, providers' key pools):
     * the current runtime snapshot's.
     */
    public Routing routing() {
        ConfigReloader r = reloader;
        RuntimeSnapshot current = r == null ? null : r.get();
        return current == null ? initialRouting : current.routing();
    }

    /**
     * Makes {@link #reload} read {@code source} (the file the config came from, with the start's
     * environment); before {@link #start} only. Without it a reload answers that there is no file.
     */
    public ProxyServer withConfigSource(ConfigSource source) {
        this.configSource = source;
        return this;
    }

    /**
     * Reloads the config file (SIGHUP, the admin API and the file watch come here): after any reload
     * already running, off the event loops; the future says how it went.
     */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        ConfigReloader r = reloader;
        return r == null
                ? CompletableFuture.completedFuture(ReloadOutcome.failed(0, "the server is not started"))
                : r.reload(trigger);
    }

    /** The runtime snapshot new exchanges take; null before start. */
    public RuntimeSnapshot runtime() {
        ConfigReloader r = reloader;
        return r == null ? null : r.get();
    }

    /** Adds listeners of every exchange, heard after the server's own; before {@link #start} only. */
    public ProxyServer withListeners(List<? extends ExchangeListener> more) {
        extraListeners.addAll(more);
        return this;
    }

    /**
     * Keeps the database keys in {@code store} (which the server closes) instead of the configured
     * database, with {@code tuning} for the cache; before {@link #start} only. For tests that count
     * the queries or share a database between servers.
     */
    public ProxyServer withKeyStore(KeyStore store, KeyDirectory.Tuning tuning) {
        this.givenKeyStore = store;
        this.keyTuning = tuning;
        return this;
    }

    /** The database keys (store, cache, spend), or null when {@code keys.store} is off; after start. */
    public ClientKeys clientKeys() {
        return clientKeys;
    }

    /** The listeners of every exchange, in the order they hear each event (empty before start). */
    public ExchangeListeners listeners() {
        return listeners;
    }

    public ProxyServer start() throws InterruptedException {
        ServerConfig server = config.server();
        workerGroup = transport.newGroup(server.ioThreads(), "aigw-io");
        boolean perLoop = Listening.perLoop(server.reusePort(), transport, Listening.loops(workerGroup));
        if (!perLoop) {
            bossGroup = transport.newGroup(1, "aigw-accept");
        }
        try {
            requestLog = RequestLogs.open(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the request log: " + e.getMessage(), e);
        }
        if (config.auth().databaseKeys()) {
            try {
                clientKeys = ClientKeys.open(
                        givenKeyStore != null ? givenKeyStore : KeyStoresFor.config(config),
                        keyTuning,
                        java.time.Clock.systemUTC(),
                        1_000);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot open the key store: " + e.getMessage(), e);
            }
        } else if (givenKeyStore != null) {
            givenKeyStore.close();
        }
        ConnectionLimits limits = new ConnectionLimits(server.maxConnections(), server.maxConnectionsPerIp());
        List<ExchangeListener> listeners = new ArrayList<>();
        // The request log first: with durability wal the answer's last byte waits for its record.
        listeners.add(new RequestLogListener(requestLog));
        if (clientKeys != null) {
            listeners.add(new KeySpendListener(clientKeys));
        }
        // Metrics, tracing and the access log go here, one line each.
        PrometheusRegistry registry = null;
        if (config.metrics().enabled()) {
            registry = new PrometheusRegistry();
            metricsListener = new MetricsListener(config, registry);
            listeners.add(metricsListener);
            metricsEndpoint = new MetricsEndpoint(registry);
            metricsHistory = MetricsHistory.start(registry);
        }
        if (config.limits().anyConfigured() || clientKeys != null) {
            rateLimiter = RateLimiter.open(
                    config.limits(),
                    registry == null ? RateLimitObserver.NONE : new LimitsMetrics(registry),
                    workerGroup,
                    transport.socketChannel());
            listeners.add(new RateLimitListener());
        }
        tracing = Tracing.addTo(listeners, config.tracing());
        // Always heard: each exchange's own config says whether it gets a line (access_log is live).
        listeners.add(new AccessLogListener());
        listeners.addAll(extraListeners);
        this.listeners = new ExchangeListeners(listeners);
        keyDirectory = clientKeys == null ? null : clientKeys.directory();
        originPools = new OriginPools(transport);
        reloader = new ConfigReloader(configSource, this::buildRuntime, this::settle, registry, rateLimiter != null);
        reloader.start(buildRuntime(config, null, 0));
        if (registry != null) {
            ConfigReloader live = reloader;
            RuntimeGauges.register(
                    registry,
                    () -> live.get().routing(),
                    () -> live.get().upstream(),
                    limits::open,
                    requestLog,
                    tracing);
        }
        ProxyChannelInitializer initializer =
                new ProxyChannelInitializer(server, reloader, active, requestLog, this.listeners);
        serverChannels = Listening.bind(
                server.host(),
                server.port(),
                bossGroup,
                workerGroup,
                perLoop,
                transport,
                (acceptor, children) -> new ServerBootstrap()
                        .group(acceptor, children)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        // One per listening socket: its accept backoff is that socket's own.
                        .handler(new AcceptedConnectionsHandler(connections, limits))
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childHandler(initializer));
        log.info(
                "aigw listening on {}:{} ({} transport{}, {} models, {} providers)",
                server.host(),
                port(),
                transport.name(),
                perLoop ? ", " + serverChannels.size() + " SO_REUSEPORT sockets" : "",
                config.models().size(),
                config.providers().size());
        if (config.configWatch()) {
            startWatch();
        }
        lifecycle.ready();
        return this;
    }

    private void startWatch() {
        if (configSource == null) {
            log.warn("config_watch: true, but this server was not started from a file: nothing to watch");
            return;
        }
        try {
            watcher = ConfigWatcher.start(reloader);
            reloader.watchStarted();
        } catch (IOException | RuntimeException e) {
            log.warn("config_watch: cannot watch {}: {}", configSource.file(), e.toString());
        }
    }

    /**
     * After each reload attempt, with the snapshot then in effect: the upstream pools drop the
     * origins it does not name (a refused reload may have added some), the limiter takes its limits,
     * the request metrics its providers and models.
     */
    private void settle(RuntimeSnapshot current) {
        originPools.retainOnly(current.upstream());
        if (rateLimiter != null) {
            rateLimiter.rules(current.config().limits());
        }
        if (metricsListener != null) {
            metricsListener.reconfigure(current.config());
        }
        requestLog.retention(current.config().requestLog().retention());
    }

    /**
     * One runtime snapshot: everything built from {@code cfg} that a reload may change. {@code
     * previous} null: the start's (its routing is {@link #initialRouting}); else its routes and key
     * pools carry their state over, and its origins' pools are taken as they are. Throws when a part
     * cannot be built (a TLS file): the reload is then refused whole.
     */
    private RuntimeSnapshot buildRuntime(ProxyConfig cfg, RuntimeSnapshot previous, long version) {
        Routing routing = previous == null ? initialRouting : previous.routing().reloaded(cfg);
        UpstreamClient client = new UpstreamClient(cfg.providers(), originPools, bufferBudget, listeners);
        // The start's key store (perhaps the generated key, or a test's) while the file's keys are the start's.
        ApiKeyStore clientKeysOfFile =
                cfg.auth().apiKeyHashes().equals(config.auth().apiKeyHashes())
                        ? keys
                        : new ApiKeyStore(cfg.auth().apiKeyHashes());
        ApiKeyAuthHandler auth = new ApiKeyAuthHandler(
                clientKeysOfFile,
                adminKeys(cfg, previous == null),
                metricsEndpoint == null ? null : config.metrics().path(),
                config.metrics().auth() == MetricsConfig.Auth.ADMIN,
                keyDirectory);
        return new RuntimeSnapshot(version, cfg, routing, client, auth, routes(cfg, routing, client));
    }

    /** The admin keys from the config, or null when there is none (the admin API answers 401). */
    private static ApiKeyStore adminKeys(ProxyConfig cfg, boolean atStart) {
        if (cfg.auth().adminKeyHashes().isEmpty()) {
            if (atStart) {
                log.info("admin API off: no admin key configured (auth.admin_keys, PROXY_ADMIN_KEYS)");
            }
            return null;
        }
        return new ApiKeyStore(cfg.auth().adminKeyHashes());
    }

    /**
     * Every route of the server, in one place: built for each runtime snapshot from its config,
     * routing and upstream client; the rest (request log, database keys, limits, metrics) is the
     * start's, shared by every snapshot.
     */
    private EndpointRouter routes(ProxyConfig config, Routing routing, UpstreamClient client) {
        ModelsEndpoint models = new ModelsEndpoint(config, startedEpochSeconds);
        AdminProvidersEndpoint admin = new AdminProvidersEndpoint(new AdminProviders(config, routing), routing.clock());
        EndpointRouter router = new EndpointRouter();
        ResponsesItemEndpoint responseItems = new ResponsesItemEndpoint(config, client, routing);
        if (metricsEndpoint != null) {
            router.route(HttpMethod.GET, config.metrics().path(), metricsEndpoint);
        }
        // Each dependency the readiness probe reports on.
        List<ReadinessCheck> checks = rateLimiter == null || rateLimiter.redis() == null
                ? List.of(new RequestLogCheck(requestLog))
                : List.of(new RequestLogCheck(requestLog), new LimitsCheck(rateLimiter));
        ReadinessEndpoint readiness = new ReadinessEndpoint(lifecycle, checks);
        if (clientKeys != null) {
            AdminKeysEndpoint keysAdmin = new AdminKeysEndpoint(clientKeys, adminQueries);
            router.route(HttpMethod.POST, AdminKeysEndpoint.LIST_PATH, keysAdmin)
                    .route(HttpMethod.GET, AdminKeysEndpoint.LIST_PATH, keysAdmin);
            for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.POST)) {
                router.routePrefix(m, AdminKeysEndpoint.ITEM_PREFIX, keysAdmin);
            }
        }
        // The admin console: its static files, and the one figure it needs that is not elsewhere.
        adminUi.addTo(router)
                .route(
                        HttpMethod.GET,
                        AdminMetricsSummaryEndpoint.PATH,
                        new AdminMetricsSummaryEndpoint(metricsHistory, adminQueries));
        return router.route(HttpMethod.GET, "/health", new HealthEndpoint(lifecycle))
                .route(HttpMethod.GET, ReadinessEndpoint.PATH, readiness)
                .route(HttpMethod.GET, ReadinessEndpoint.ALIAS, readiness)
                .route(HttpMethod.GET, ModelsEndpoint.LIST_PATH, models)
                .routePrefix(HttpMethod.GET, ModelsEndpoint.ITEM_PREFIX, models)
                .route(
                        HttpMethod.POST,
                        "/v1/chat/completions",
                        new ProxyEndpoint(ApiEndpoint.CHAT_COMPLETIONS, config, client, routing, rateLimiter))
                .route(
                        HttpMethod.POST,
                        "/v1/completions",
                        new ProxyEndpoint(ApiEndpoint.COMPLETIONS, config, client, routing, rateLimiter))
                .route(
                        HttpMethod.POST,
                        "/v1/embeddings",
                        new ProxyEndpoint(ApiEndpoint.EMBEDDINGS, config, client, routing, rateLimiter))
                .route(
                        HttpMethod.POST,
                        "/v1/messages",
                        new ProxyEndpoint(ApiEndpoint.MESSAGES, config, client, routing, rateLimiter))
                .route(
                        HttpMethod.POST,
                        "/v1/messages/count_tokens",
                        new CountTokensEndpoint(
                                new ProxyEndpoint(ApiEndpoint.COUNT_TOKENS, config, client, routing, rateLimiter),
                                config,
                                routing))
                .route(
                        HttpMethod.POST,
                        "/v1/responses",
                        new ProxyEndpoint(ApiEndpoint.RESPONSES, config, client, routing, rateLimiter))
                .routePrefix(HttpMethod.GET, ResponsesItemEndpoint.PREFIX, responseItems)
                .routePrefix(HttpMethod.DELETE, ResponsesItemEndpoint.PREFIX, responseItems)
                .route(
                        HttpMethod.GET,
                        AdminLogsEndpoint.PATH,
                        new AdminLogsEndpoint(requestLog, adminQueries, clientKeys == null ? null : clientKeys.store()))
                .route(HttpMethod.GET, AdminLogStatsEndpoint.PATH, new AdminLogStatsEndpoint(requestLog))
                .route(HttpMethod.POST, ConfigReloadEndpoint.PATH, new ConfigReloadEndpoint(reloader))
                .route(HttpMethod.GET, ConfigFactsEndpoint.PATH, new ConfigFactsEndpoint(reloader))
                .route(HttpMethod.GET, AdminProvidersEndpoint.LIST_PATH, admin)
                .routePrefix(HttpMethod.POST, AdminProvidersEndpoint.ITEM_PREFIX, admin);
    }

    /**
     * Blocks the calling (main) thread until {@link #close} has finished, whoever called it; the I/O
     * threads are daemons.
     */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** How many exchanges the stop had to cut because the grace ran out (0 for a clean stop); after {@link #close}. */
    public int cutExchanges() {
        return cut;
    }

    /** Lets exchanges in flight finish within the grace; returns how many were still in flight after it. */
    private int drain() {
        int inFlight = active.count();
        if (inFlight == 0) {
            return 0;
        }
        log.info(
                "stopping: waiting up to {} ms for {} exchange(s) in flight",
                config.server().shutdownGrace().toMillis(),
                inFlight);
        try {
            if (!active.awaitNone(config.server().shutdownGrace())) {
                int left = active.count();
                log.warn("stopping: {} exchange(s) still in flight after the grace period are cut", left);
                cutInFlight();
                return left;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return active.count();
        }
        return 0;
    }

    /**
     * Ends each exchange still in flight on its own loop as a provider failure would (a stream gets
     * the error event and its proper end, a request still waiting a 503), then gives those last
     * writes a moment to reach the sockets before the connections are closed under them.
     */
    private void cutInFlight() throws InterruptedException {
        connections.forEach(ExchangeStartHandler::cutForStop);
        if (!active.awaitNone(CUT_WRITE_WAIT)) {
            log.warn(
                    "stopping: {} cut exchange(s) could not be told within {} ms",
                    active.count(),
                    CUT_WRITE_WAIT.toMillis());
        }
    }

    /**
     * Closes the client connections while the loops still run, so every cut exchange ends (closing
     * its upstream connection and releasing its buffers). Not left to the loops' own shutdown: a loop
     * checks for it only at the top of an iteration, and one that is busy when the stop arrives
     * terminates (quiet period 0) without closing its channels; then nothing of theirs is released.
     */
    private void closeConnections() {
        if (!connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            log.warn("stopping: client connections did not close within 5 s");
        }
    }

    /** The tracing pipeline (its drop counter is for metrics and admin), or null when tracing is off. */
    public Tracing tracing() {
        return tracing;
    }

    public int port() {
        return ((InetSocketAddress) serverChannels.get(0).localAddress()).getPort();
    }

    /** How many listening sockets are bound: one, or one per event loop with SO_REUSEPORT. */
    int listeningSockets() {
        return serverChannels.size();
    }

    /** The event loops serving connections; for tests that keep them busy across a stop. */
    EventLoopGroup workers() {
        return workerGroup;
    }

    /**
     * Stops accepting, lets exchanges in flight (streams included) finish within the configured grace,
     * ends those still running (see {@link #cutExchanges}), then closes every connection and the
     * event loops. Called from the stop thread or the shutdown hook, never a loop.
     */
    @Override
    public void close() {
        // Idempotent: a signal's stop and the shutdown hook may both call it; the second waits for the first.
        boolean first;
        synchronized (this) {
            first = !stopped;
            stopped = true;
        }
        if (!first) {
            awaitClosedUninterruptibly();
            return;
        }
        try {
            stop();
        } finally {
            closed.countDown();
        }
    }

    private void awaitClosedUninterruptibly() {
        boolean interrupted = false;
        while (closed.getCount() > 0) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void stop() {
        lifecycle.draining(); // first: probes on kept-alive connections say so while exchanges finish
        if (watcher != null) {
            watcher.close();
        }
        if (reloader != null) {
            reloader.close(); // waits for a reload running; queued ones are refused, none starts
        }
        if (!serverChannels.isEmpty()) {
            Listening.close(serverChannels);
            cut = drain();
            closeConnections();
        }
        if (originPools != null) {
            originPools.close();
        }
        if (rateLimiter != null) {
            // Before the loops stop: its Redis connections live on them, and its last corrections go out.
            rateLimiter.close();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        }
        if (workerGroup != null) {
            // Bounded: a stop must never hang, whatever a connection is doing.
            if (!workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS)) {
                log.warn("stopping: event loops did not terminate within 15 s");
            }
        }
        adminQueries.shutdownNow();
        if (clientKeys != null) {
            clientKeys.close(); // after the loops: the spend writer's last flush has every exchange
        }
        if (tracing != null) {
            tracing.close(); // after the loops: every exchange's spans have ended by now
        }
        if (metricsHistory != null) {
            metricsHistory.close();
        }
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        if (requestLog != null) {
            requestLog.close(); // last: every exchange, cut ones included, has been offered by now
        }
    }

    /**
     * On the listening channel, ahead of Netty's acceptor: each accepted connection joins the group a
     * stop closes, and is marked {@link ProxyChannelInitializer#REFUSED} when it is over a connection
     * cap. Accept failures are handled here ({@link AcceptBackoff}), not passed on to the acceptor.
     */
    private static final class AcceptedConnectionsHandler extends ChannelInboundHandlerAdapter {
        private static final Logger log = LoggerFactory.getLogger(AcceptedConnectionsHandler.class);
        private final ChannelGroup connections;
        private final ConnectionLimits limits;
        private final AcceptBackoff backoff = new AcceptBackoff();
        private final WarnPerMinute refusals =
                new WarnPerMinute(log, "refusing new connections with 503: {} ({} refused since the last such line)");

        AcceptedConnectionsHandler(ChannelGroup connections, ConnectionLimits limits) {
            this.connections = connections;
            this.limits = limits;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            backoff.accepted();
            if (!limits.admit(child)) {
                child.attr(ProxyChannelInitializer.REFUSED).set(Boolean.TRUE);
                refusals.warn("over server.max_connections or server.max_connections_per_ip");
            }
            connections.add(child);
            ctx.fireChannelRead(child);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            backoff.failed(ctx.channel(), cause);
        }
    }
}
