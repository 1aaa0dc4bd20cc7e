package io.aigw.server.upstream;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.TlsConfig;
import io.aigw.core.config.UpstreamSettings;
import io.aigw.server.Transport;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's upstream connection pools, by {@link Origin}, outliving any one {@link
 * UpstreamClient}: a config reload builds a new client that takes the same pools (same idle
 * connections) for every origin it still names, and {@link #retainOnly} drains the pools of the
 * origins no longer named. Also owns what every pool shares: the DNS resolver and the group of
 * open connections a stop closes.
 */
public final class OriginPools implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OriginPools.class);

    private final Transport transport;
    private final DnsAddressResolverGroup resolver;
    /** Every open upstream connection, in use or idle; a closed one leaves the group by itself. */
    private final ChannelGroup connections = new DefaultChannelGroup("aigw-upstream", GlobalEventExecutor.INSTANCE);
    /** The origins of the newest client (and of one being built); guarded by this. */
    private final Map<Origin, OriginPool> live = new HashMap<>();

    public OriginPools(Transport transport) {
        this.transport = transport;
        this.resolver = new DnsAddressResolverGroup(
                new DnsNameResolverBuilder().datagramChannelType(transport.datagramChannel()));
    }

    /**
     * The pools of this provider's origin: the live ones when the origin is known, else new ones
     * (their TLS context built now, so a bad {@code tls} block fails here, before anything is used).
     */
    synchronized OriginPool of(ProviderConfig provider) {
        Origin origin = Origin.of(provider);
        OriginPool pool = live.get(origin);
        if (pool == null) {
            SslContext ssl = provider.isTls() ? sslContext(provider) : null;
            pool = new OriginPool(origin, provider, ssl, label(provider), address(provider));
            live.put(origin, pool);
        }
        return pool;
    }

    /**
     * Drains and forgets every origin not among {@code kept} (the newest client's): idle connections
     * close at once, in-use ones when their call releases them. Calls of older clients still running
     * may use a retired origin; what they open is closed when they are done.
     */
    public synchronized void retainOnly(UpstreamClient newest) {
        Set<Origin> keep = new HashSet<>();
        for (OriginPool p : newest.origins()) {
            keep.add(p.origin);
        }
        List<OriginPool> gone = new ArrayList<>();
        live.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            gone.add(e.getValue());
            return true;
        });
        for (OriginPool p : gone) {
            log.info("upstream origin {} is no longer configured: its connections drain and close", p.label);
            p.retire();
        }
    }

    /** How many origins are live (for tests). */
    synchronized int liveOrigins() {
        return live.size();
    }

    /** {@code scheme://host:port}. */
    private static String address(ProviderConfig p) {
        return p.baseUrl().getScheme() + "://" + p.baseUrl().getHost() + ":" + p.port();
    }

    /** For the log: the address; a second live pool for the same one (other TLS or pool settings) adds its provider. */
    private String label(ProviderConfig p) {
        String label = address(p);
        for (OriginPool other : live.values()) {
            if (other.label.equals(label)) {
                return label + " (" + p.name() + ")";
            }
        }
        return label;
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
        synchronized (this) {
            live.clear();
        }
        resolver.close();
    }

    /** One origin's pools, one per event loop, made on the loop's first call. */
    final class OriginPool {
        final Origin origin;
        /** The first provider of the origin: its settings are every sharer's. */
        private final ProviderConfig provider;

        private final SslContext ssl;
        final String label;
        final PoolCounters counters;
        private final Map<EventLoop, LoopPool> byLoop = new ConcurrentHashMap<>();
        private volatile boolean retired;

        /**
         * @param address the metric label: while a reload builds its client the pool it replaces is
         *     still live, so a suffix would stick to the new pool; {@link UpstreamClient#poolStats}
         *     tells apart the pools of one client that share an address
         */
        OriginPool(Origin origin, ProviderConfig provider, SslContext ssl, String label, String address) {
            this.origin = origin;
            this.provider = provider;
            this.ssl = ssl;
            this.label = label;
            this.counters = new PoolCounters(address);
        }

        /** The first provider of the origin. */
        String providerName() {
            return provider.name();
        }

        /** This origin's pool on {@code loop}; on that loop. */
        LoopPool on(EventLoop loop) {
            LoopPool pool = byLoop.get(loop);
            if (pool == null) {
                pool = byLoop.computeIfAbsent(loop, this::newPool);
            }
            if (retired) {
                pool.retire(); // made (or looked up) while the retirement went round: drain it too
            }
            return pool;
        }

        private LoopPool newPool(EventLoop loop) {
            UpstreamSettings settings = provider.upstream();
            Bootstrap bootstrap = new Bootstrap()
                    .channel(transport.socketChannel())
                    .resolver(resolver)
                    .remoteAddress(InetSocketAddress.createUnresolved(
                            provider.baseUrl().getHost(), provider.port()))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                            settings.connectTimeout().toMillis())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true);
            LoopPool pool = new LoopPool(
                    loop,
                    bootstrap,
                    new UpstreamPoolHandler(provider, ssl, connections),
                    settings.maxConnections(),
                    settings.maxPendingAcquires(),
                    settings.acquireTimeout().toMillis());
            counters.add(pool);
            return pool;
        }

        private void retire() {
            retired = true;
            for (Map.Entry<EventLoop, LoopPool> e : byLoop.entrySet()) {
                LoopPool pool = e.getValue();
                try {
                    e.getKey().execute(pool::retire);
                } catch (RejectedExecutionException stopping) {
                    // the loop is shutting down, and its connections close with the stop
                }
            }
        }
    }

    /**
     * What makes two providers' connections interchangeable: where they go, how TLS is checked, and
     * every setting a pool or a connection's pipeline is built from. Per-call settings (timeouts of a
     * response, breaker) stay each provider's own and are not part of it.
     */
    record Origin(
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
}
