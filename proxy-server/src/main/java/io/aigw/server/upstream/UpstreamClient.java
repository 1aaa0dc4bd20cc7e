package io.aigw.server.upstream;

import io.aigw.core.auth.SecretScrubber;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.TlsConfig;
import io.aigw.core.config.UpstreamSettings;
import io.aigw.server.Transport;
import io.aigw.server.dialect.Converters;
import io.aigw.server.dialect.Dialect;
import io.aigw.server.dialect.Dialects;
import io.aigw.server.exchange.ExchangeListeners;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection pools to providers: one bounded pool per origin <em>per event loop</em>, so a call
 * takes its upstream connection on the client connection's own loop (no thread hop, no lock), as
 * in Zuul's per-loop origin pools. Providers that name the same origin (scheme, host, port) with the
 * same TLS and pool settings share one pool: a request carries its own key and path, so a
 * connection serves any of them, and a route spread over such providers keeps the working set of
 * one (three pools of a third each held 2.5 times the connections and cost about 7% of throughput).
 * Names are resolved by Netty's asynchronous DNS resolver, which reads the hosts file and never
 * blocks a loop.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);

    private final Transport transport;
    /** Index into a loop's pools of each provider's origin. */
    private final Map<String, Integer> originByProvider = new HashMap<>();
    /** The first provider of each origin: its settings are every sharer's. */
    private final List<ProviderConfig> origins = new ArrayList<>();

    private final List<SslContext> sslByOrigin = new ArrayList<>();
    private final List<PoolCounters> countersByOrigin = new ArrayList<>();
    private final Map<String, UpstreamRequest> requestsByProvider = new HashMap<>();
    private final Map<String, Dialect> dialectByProvider = new HashMap<>();
    private final Converters converters = Converters.defaults();
    private final DnsAddressResolverGroup resolver;
    private final Map<EventLoop, LoopPool[]> pools = new ConcurrentHashMap<>();
    /** Every open upstream connection, in use or idle; a closed one leaves the group by itself. */
    private final ChannelGroup connections = new DefaultChannelGroup("aigw-upstream", GlobalEventExecutor.INSTANCE);
    /** Every provider secret of the configuration, kept out of provider errors relayed to clients. */
    private final SecretScrubber scrubber;

    private final BufferBudget bufferBudget;
    private final ExchangeListeners listeners;

    public UpstreamClient(Map<String, ProviderConfig> providers, Transport transport) {
        this(providers, transport, BufferBudget.unlimited());
    }

    /** With the process-wide budget every call's buffered response bytes are reserved against. */
    public UpstreamClient(Map<String, ProviderConfig> providers, Transport transport, BufferBudget bufferBudget) {
        this(providers, transport, bufferBudget, ExchangeListeners.none());
    }

    /** With the listeners every call tells of its attempt. */
    public UpstreamClient(
            Map<String, ProviderConfig> providers,
            Transport transport,
            BufferBudget bufferBudget,
            ExchangeListeners listeners) {
        this.bufferBudget = bufferBudget;
        this.listeners = listeners;
        this.transport = transport;
        this.scrubber = SecretScrubber.ofProviders(providers.values());
        Map<Origin, Integer> originIndex = new HashMap<>();
        for (ProviderConfig p : providers.values()) {
            Dialect dialect = Dialects.of(p);
            dialectByProvider.put(p.name(), dialect);
            requestsByProvider.put(p.name(), new UpstreamRequest(p, dialect));
            Origin origin = Origin.of(p);
            Integer index = originIndex.get(origin);
            if (index == null) {
                index = origins.size();
                originIndex.put(origin, index);
                origins.add(p);
                sslByOrigin.add(p.isTls() ? sslContext(p) : null);
                countersByOrigin.add(new PoolCounters(originLabel(p, countersByOrigin)));
            }
            originByProvider.put(p.name(), index);
        }
        this.resolver = new DnsAddressResolverGroup(
                new DnsNameResolverBuilder().datagramChannelType(transport.datagramChannel()));
    }

    /** Who hears of every upstream attempt (the server's exchange listeners). */
    public ExchangeListeners listeners() {
        return listeners;
    }

    /** What scrubs provider secrets out of provider text bound for a client. */
    SecretScrubber scrubber() {
        return scrubber;
    }

    /** The dialect a provider speaks. */
    /** How requests of the client APIs other than OpenAI's reach each provider type. */
    public Converters converters() {
        return converters;
    }

    public Dialect dialect(ProviderConfig provider) {
        return dialectByProvider.get(provider.name());
    }

    /** The request builder of a provider (its fixed headers rendered once, at start). */
    UpstreamRequest requests(ProviderConfig provider) {
        return requestsByProvider.get(provider.name());
    }

    /** One origin's connections for metrics: {@code active} in use (or connecting), {@code idle} pooled. */
    public record PoolStats(String origin, long active, long idle, long pendingAcquires) {}

    /** Every origin's pool figures, summed over the event loops; safe from any thread. */
    public List<PoolStats> poolStats() {
        List<PoolStats> stats = new ArrayList<>(countersByOrigin.size());
        for (PoolCounters c : countersByOrigin) {
            stats.add(new PoolStats(c.origin, c.active(), c.idle(), c.pending()));
        }
        return stats;
    }

    /** {@code scheme://host:port}; a second pool for the same one (other TLS settings) adds its provider. */
    private static String originLabel(ProviderConfig p, List<PoolCounters> earlier) {
        String label = p.baseUrl().getScheme() + "://" + p.baseUrl().getHost() + ":" + p.port();
        for (PoolCounters c : earlier) {
            if (c.origin.equals(label)) {
                return label + " (" + p.name() + ")";
            }
        }
        return label;
    }

    /** The pool for this provider's origin on this event loop; must be called on that loop. */
    LoopPool pool(EventLoop loop, ProviderConfig provider) {
        LoopPool[] byOrigin = pools.computeIfAbsent(loop, l -> new LoopPool[origins.size()]);
        int index = originByProvider.get(provider.name());
        LoopPool pool = byOrigin[index];
        if (pool == null) {
            pool = newPool(loop, origins.get(index), sslByOrigin.get(index));
            byOrigin[index] = pool;
            countersByOrigin.get(index).add(pool);
        }
        return pool;
    }

    private static SslContext sslContext(ProviderConfig p) {
        try {
            return UpstreamTls.clientContext(p.tls());
        } catch (IOException e) {
            throw new UncheckedIOException("providers." + p.name() + ".tls: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("providers." + p.name() + ".tls: " + e.getMessage(), e);
        }
    }

    private LoopPool newPool(EventLoop loop, ProviderConfig provider, SslContext ssl) {
        var settings = provider.upstream();
        Bootstrap bootstrap = new Bootstrap()
                .channel(transport.socketChannel())
                .resolver(resolver)
                .remoteAddress(
                        InetSocketAddress.createUnresolved(provider.baseUrl().getHost(), provider.port()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        settings.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        return new LoopPool(
                loop,
                bootstrap,
                new UpstreamPoolHandler(provider, ssl, connections),
                settings.maxConnections(),
                settings.maxPendingAcquires(),
                settings.acquireTimeout().toMillis());
    }

    /**
     * Closes every upstream connection, waiting at most 5 s, then forgets the pools; the caller stops
     * the event loops next, and they must still be running now: a loop's own shutdown may skip closing
     * its channels (the pools hold nothing else: a waiter still queued fails by its acquire timeout,
     * or never runs once its loop has stopped).
     */
    @Override
    public void close() {
        if (!connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            log.warn("stopping: upstream connections did not close within 5 s");
        }
        pools.clear();
        resolver.close();
    }

    /**
     * What makes two providers' connections interchangeable: where they go, how TLS is checked, and
     * every setting a pool or a connection's pipeline is built from. Per-call settings (timeouts of a
     * response, breaker) stay each provider's own and are not part of it.
     */
    private record Origin(
            String scheme,
            String host,
            int port,
            TlsConfig tls,
            Duration connectTimeout,
            int maxConnections,
            int maxPendingAcquires,
            Duration acquireTimeout,
            Duration poolIdleTimeout) {
        static Origin of(ProviderConfig p) {
            UpstreamSettings s = p.upstream();
            return new Origin(
                    p.baseUrl().getScheme().toLowerCase(Locale.ROOT),
                    p.baseUrl().getHost().toLowerCase(Locale.ROOT),
                    p.port(),
                    p.isTls() ? p.tls() : null,
                    s.connectTimeout(),
                    s.maxConnections(),
                    s.maxPendingAcquires(),
                    s.acquireTimeout(),
                    s.poolIdleTimeout());
        }
    }

    /** The process-wide budget for buffered response bytes. */
    public BufferBudget bufferBudget() {
        return bufferBudget;
    }
}
