package io.aigw.server.metrics;

import io.aigw.core.log.LogWriterStats;
import io.aigw.core.log.RequestLog;
import io.aigw.core.log.RequestLogWriter;
import io.aigw.core.routing.CircuitBreaker;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.routing.Routes;
import io.aigw.server.routing.Routing;
import io.aigw.server.trace.Tracing;
import io.aigw.server.upstream.UpstreamClient;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The metrics read when scraped, never updated on the data path: breaker and key states, client
 * connections, the request log writer's counters, Netty's allocator and the JVM's own.
 */
public final class RuntimeGauges {
    private static final CircuitBreaker.State[] STATES = CircuitBreaker.State.values();

    private RuntimeGauges() {}

    /**
     * @param currentRouting the current runtime snapshot's routing (a reload replaces it)
     * @param currentUpstream the current runtime snapshot's upstream client (its origins only)
     * @param clientConnections the open client connections
     * @param requestLog the request log (its writer's counters), or null when there is none
     * @param tracing the tracing pipeline (its span counters), or null when tracing is off
     */
    public static void register(
            PrometheusRegistry registry,
            Supplier<Routing> currentRouting,
            Supplier<UpstreamClient> currentUpstream,
            IntSupplier clientConnections,
            RequestLog requestLog,
            Tracing tracing) {
        GaugeWithCallback.builder()
                .name("aigw_upstream_pool_connections")
                .help("Upstream connections per provider origin, over every event loop: active (in use) or idle")
                .labelNames("origin", "state")
                .callback(cb -> {
                    for (UpstreamClient.PoolStats p : currentUpstream.get().poolStats()) {
                        cb.call(p.active(), p.origin(), "active");
                        cb.call(p.idle(), p.origin(), "idle");
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("aigw_upstream_pool_pending_acquires")
                .help("Calls waiting for an upstream connection, per provider origin")
                .labelNames("origin")
                .callback(cb -> {
                    for (UpstreamClient.PoolStats p : currentUpstream.get().poolStats()) {
                        cb.call(p.pendingAcquires(), p.origin());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("aigw_breaker_state")
                .help("Each deployment's circuit breaker: 1 for its current state, 0 for the others")
                .labelNames("deployment", "state")
                .callback(cb -> {
                    Routing routing = currentRouting.get();
                    long now = routing.clock().nanoTime();
                    for (Routes.Route route : routing.routes().all()) {
                        for (DeploymentState d : route.deployments().keySet()) {
                            CircuitBreaker.State state = d.breaker().state(now);
                            for (CircuitBreaker.State s : STATES) {
                                cb.call(s == state ? 1 : 0, d.name(), s.name().toLowerCase(Locale.ROOT));
                            }
                        }
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("aigw_provider_key_state")
                .help("Each provider key, by its index in api_keys (never the key): 1 for its state, 0 for the others")
                .labelNames("provider", "key_index", "state")
                .callback(cb -> {
                    Routing routing = currentRouting.get();
                    long now = routing.clock().nanoTime();
                    for (KeyPool pool : routing.keys().all()) {
                        for (KeyPool.Key key : pool.keys()) {
                            String state = key.isRemoved() ? "removed" : key.isCooling(now) ? "cooling" : "usable";
                            String index = Integer.toString(key.index());
                            for (String s : new String[] {"usable", "cooling", "removed"}) {
                                cb.call(s.equals(state) ? 1 : 0, pool.provider(), index, s);
                            }
                        }
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("aigw_client_connections")
                .help("Open client connections")
                .callback(cb -> cb.call(clientConnections.getAsInt()))
                .register(registry);
        if (requestLog != null) {
            LogWriterStats stats = requestLog.stats();
            CounterWithCallback.builder()
                    .name("aigw_request_log_rows_total")
                    .help("Request log rows by outcome: written, spilled, replayed, dropped, refused")
                    .labelNames("outcome")
                    .callback(cb -> {
                        cb.call(stats.written(), "written");
                        cb.call(stats.spilled(), "spilled");
                        cb.call(stats.replayed(), "replayed");
                        cb.call(stats.dropped(), "dropped");
                        cb.call(stats.refused(), "refused");
                    })
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("aigw_request_log_queue_depth")
                    .help("Records waiting in the request log writer's queue")
                    .callback(cb -> cb.call(requestLog instanceof RequestLogWriter w ? w.queueDepth() : 0))
                    .register(registry);
        }
        if (tracing != null) {
            CounterWithCallback.builder()
                    .name("aigw_trace_spans_total")
                    .help("Spans by fate: exported (the collector took them) or dropped (full queue, failed export)")
                    .labelNames("outcome")
                    .callback(cb -> {
                        cb.call(tracing.exportedSpans(), "exported");
                        cb.call(tracing.droppedSpans(), "dropped");
                    })
                    .register(registry);
        }
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric metric = provider.metric();
            GaugeWithCallback.builder()
                    .name("aigw_netty_allocator_used_bytes")
                    .help("Memory held by Netty's default (pooled or adaptive) buffer allocator")
                    .labelNames("type")
                    .callback(cb -> {
                        cb.call(metric.usedDirectMemory(), "direct");
                        cb.call(metric.usedHeapMemory(), "heap");
                    })
                    .register(registry);
        }
        AllocatedBytes allocated = AllocatedBytes.create();
        if (allocated != null) {
            CounterWithCallback.builder()
                    .name("aigw_jvm_allocated_bytes_total")
                    .help("Heap bytes allocated by every thread since the JVM started (per-thread counters, "
                            + "current to the last TLAB; not only at collections as jvm_memory_pool_allocated_bytes)")
                    .callback(cb -> cb.call(allocated.read()))
                    .register(registry);
        }
        JvmMetrics.builder().register(registry);
    }
}
