package io.aigw.server.routing;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.routing.Clock;

/**
 * The routing state shared by every event loop: the route table with each deployment's breaker and
 * latency, every provider's key pool, and the time they are judged by ({@code clock} for breakers,
 * cooldowns and key health; {@code waits} for retry delays), both virtual in tests.
 */
public record Routing(Routes routes, KeyPools keys, Clock clock, Waits waits) {

    public static Routing of(ProxyConfig config, Clock clock, Waits waits) {
        return new Routing(new Routes(config), new KeyPools(config), clock, waits);
    }

    /** The routing of a reloaded {@code config}, carrying over this one's state for what still exists. */
    public Routing reloaded(ProxyConfig config) {
        return new Routing(new Routes(config, routes), new KeyPools(config, keys), clock, waits);
    }
}
