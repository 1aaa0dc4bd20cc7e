package io.aigw.server.upstream;

import io.aigw.core.auth.SecretScrubber;
import io.aigw.core.config.ProviderConfig;
import io.aigw.server.Transport;
import io.aigw.server.dialect.Converters;
import io.aigw.server.dialect.Dialect;
import io.aigw.server.dialect.Dialects;
import io.aigw.server.exchange.ExchangeListeners;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Connection pools to providers: one bounded pool per origin <em>per event loop</em>, so a call
 * takes its upstream connection on the client connection's own loop (no thread hop, no lock), as
 * in Zuul's per-loop origin pools. Providers that name the same origin (scheme, host, port) with the
 * same TLS and pool settings share one pool: a request carries its own key and path, so a
 * connection serves any of them, and a route spread over such providers keeps the working set of
 * one (three pools of a third each held 2.5 times the connections and cost about 7% of throughput).
 * Names are resolved by Netty's asynchronous DNS resolver, which reads the hosts file and never
 * blocks a loop.
 *
 * <p>A client is immutable and belongs to one runtime snapshot (one config); the pools themselves
 * live in {@link OriginPools}, which a reload's new client shares, so unchanged origins keep their
 * connections.
 */
public final class UpstreamClient implements AutoCloseable {
    /** Each provider's origin pools. */
    private final Map<String, OriginPools.OriginPool> originByProvider = new HashMap<>();
    /** This client's distinct origins, in configuration order. */
    private final List<OriginPools.OriginPool> origins = new ArrayList<>();

    private final Map<String, UpstreamRequest> requestsByProvider = new HashMap<>();
    private final Map<String, Dialect> dialectByProvider = new HashMap<>();
    private final Converters converters = Converters.defaults();
    private final OriginPools pools;
    /** Whether {@link #close} closes the pools (a client made without a shared registry). */
    private final boolean ownsPools;
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

    /** With the listeners every call tells of its attempt; the client owns its pools. */
    public UpstreamClient(
            Map<String, ProviderConfig> providers,
            Transport transport,
            BufferBudget bufferBudget,
            ExchangeListeners listeners) {
        this(providers, new OriginPools(transport), true, bufferBudget, listeners);
    }

    /**
     * Over the shared {@code pools} (which the caller closes): origins already pooled there are
     * reused as they are, new ones are added (their TLS contexts built now, failing here).
     */
    public UpstreamClient(
            Map<String, ProviderConfig> providers,
            OriginPools pools,
            BufferBudget bufferBudget,
            ExchangeListeners listeners) {
        this(providers, pools, false, bufferBudget, listeners);
    }

    private UpstreamClient(
            Map<String, ProviderConfig> providers,
            OriginPools pools,
            boolean ownsPools,
            BufferBudget bufferBudget,
            ExchangeListeners listeners) {
        this.bufferBudget = bufferBudget;
        this.listeners = listeners;
        this.pools = pools;
        this.ownsPools = ownsPools;
        this.scrubber = SecretScrubber.ofProviders(providers.values());
        for (ProviderConfig p : providers.values()) {
            Dialect dialect = Dialects.of(p);
            dialectByProvider.put(p.name(), dialect);
            requestsByProvider.put(p.name(), new UpstreamRequest(p, dialect));
            OriginPools.OriginPool origin = pools.of(p);
            if (!origins.contains(origin)) {
                origins.add(origin);
            }
            originByProvider.put(p.name(), origin);
        }
    }

    /** Who hears of every upstream attempt (the server's exchange listeners). */
    public ExchangeListeners listeners() {
        return listeners;
    }

    /** What scrubs provider secrets out of provider text bound for a client. */
    SecretScrubber scrubber() {
        return scrubber;
    }

    /** How requests of the client APIs other than OpenAI's reach each provider type. */
    public Converters converters() {
        return converters;
    }

    /** The dialect a provider speaks. */
    public Dialect dialect(ProviderConfig provider) {
        return dialectByProvider.get(provider.name());
    }

    /** The request builder of a provider (its fixed headers rendered once, at start). */
    UpstreamRequest requests(ProviderConfig provider) {
        return requestsByProvider.get(provider.name());
    }

    /** This client's origins (for {@link OriginPools#retainOnly}). */
    List<OriginPools.OriginPool> origins() {
        return origins;
    }

    /** One origin's connections for metrics: {@code active} in use (or connecting), {@code idle} pooled. */
    public record PoolStats(String origin, long active, long idle, long pendingAcquires) {}

    /** Every origin's pool figures, summed over the event loops; safe from any thread. */
    public List<PoolStats> poolStats() {
        Map<String, Integer> sharing = new HashMap<>();
        for (OriginPools.OriginPool o : origins) {
            sharing.merge(o.counters.origin, 1, Integer::sum);
        }
        List<PoolStats> stats = new ArrayList<>(origins.size());
        for (OriginPools.OriginPool o : origins) {
            PoolCounters c = o.counters;
            // Two pools of this client at one address (other TLS or pool settings): each names its provider.
            String label = sharing.get(c.origin) > 1 ? c.origin + " (" + o.providerName() + ")" : c.origin;
            stats.add(new PoolStats(label, c.active(), c.idle(), c.pending()));
        }
        return stats;
    }

    /** The pool for this provider's origin on this event loop; must be called on that loop. */
    LoopPool pool(EventLoop loop, ProviderConfig provider) {
        return originByProvider.get(provider.name()).on(loop);
    }

    /** Closes the pools when this client owns them; a shared registry is closed by its owner. */
    @Override
    public void close() {
        if (ownsPools) {
            pools.close();
        }
    }

    /** The process-wide budget for buffered response bytes. */
    public BufferBudget bufferBudget() {
        return bufferBudget;
    }
}
