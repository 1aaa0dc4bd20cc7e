package io.aigw.server.routing;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.routing.KeyPool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every provider's key pool, built once at start and shared by all event loops (the pools are lock-free). */
public final class KeyPools {
    private final Map<String, KeyPool> byProvider;
    private final List<KeyPool> order;

    public KeyPools(ProxyConfig config) {
        Map<String, KeyPool> pools = new LinkedHashMap<>();
        for (ProviderConfig provider : config.providers().values()) {
            pools.put(provider.name(), KeyPool.of(provider));
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
