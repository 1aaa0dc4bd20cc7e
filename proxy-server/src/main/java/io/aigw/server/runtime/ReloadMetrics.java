package io.aigw.server.runtime;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** {@code aigw_config_reloads_total{result}} and the time of the last reload that succeeded. */
final class ReloadMetrics {
    private final Counter reloads;
    private final Gauge lastSuccess;

    ReloadMetrics(PrometheusRegistry registry) {
        reloads = Counter.builder()
                .name("aigw_config_reloads_total")
                .help("Config reloads by result: success (applied or unchanged) or failure (the old config stays)")
                .labelNames("result")
                .withoutExemplars()
                .register(registry);
        lastSuccess = Gauge.builder()
                .name("aigw_config_last_reload_success_timestamp_seconds")
                .help("Unix time of the last config reload that succeeded")
                .withoutExemplars()
                .register(registry);
        // Both series from the start: a failure rate reads 0, not absent, before the first reload.
        reloads.labelValues("success");
        reloads.labelValues("failure");
    }

    void succeeded(long epochMillis) {
        reloads.labelValues("success").inc();
        lastSuccess.set(epochMillis / 1000.0);
    }

    void failed() {
        reloads.labelValues("failure").inc();
    }
}
