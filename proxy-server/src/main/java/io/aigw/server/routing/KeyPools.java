package io.aigw.server.routing;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.routing.KeyPool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every provider's key pool, built at start and at each reload, and shared by all event loops (the pools are lock-free). */
public final class KeyPools {
    private final Map<String, KeyPool> byProvider;
    private final List<KeyPool> order;

    public KeyPools(ProxyConfig config) {
        this(config, null);
    }

    /**
     * The pools of a reloaded {@code config}: a provider whose keys did not change keeps its pool as
     * it is; one whose keys changed gets a new pool that takes over the state of the keys it still has.
     */
    public KeyPools(ProxyConfig config, KeyPools previous) {
        Map<String, KeyPool> pools = new LinkedHashMap<>();
        for (ProviderConfig provider : config.providers().values()) {
            KeyPool old = previous == null ? null : previous.byProvider.get(provider.name());
            KeyPool pool = old == null
                    ? KeyPool.of(provider)
                    : old.sameAs(provider) ? old : KeyPool.of(provider).carryStateFrom(old);
            pools.put(provider.name(), pool);
        }
        this.byProvider = Map.copyOf(pools);
        this.order = List.copyOf(pools.values());
    }

    /** The pool of a configured provider (empty for a provider without keys). */
    public KeyPool get(String provider) {
        KeyPool pool = byProvider.get(provider);
        if (pool == null) {
            throw new IllegalArgumentException("unknown provider " + provider);
        }
        return pool;
    }

    /** Every pool, in configuration order. */
    public List<KeyPool> all() {
        return order;
    }
}
