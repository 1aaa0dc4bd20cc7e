package io.aigw.core.config;

import java.time.Duration;

/**
 * How the proxy talks to one provider. The top-level {@code upstream:} block gives the defaults;
 * any provider may override any of these keys in its own block.
 *
 * @param maxConnections per provider origin and per event loop (pools are pinned to event loops)
 * @param poolIdleTimeout an idle pooled connection is closed after this
 */
public record UpstreamSettings(
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        Duration totalTimeout,
        int maxConnections,
        int maxPendingAcquires,
        Duration acquireTimeout,
        Duration poolIdleTimeout,
        long maxResponseBytes) {}
