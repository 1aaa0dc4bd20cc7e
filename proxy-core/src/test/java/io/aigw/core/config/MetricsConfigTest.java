package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code metrics:} block: defaults, each key, and one-line errors for what is wrong. */
class MetricsConfigTest {
    private static ProxyConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(Set.of("openai"), Map.of()).parse(yaml, "test.yaml");
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void onAndOpenAtSlashMetricsByDefault() throws Exception {
        assertEquals(
                new MetricsConfig(true, "/metrics", MetricsConfig.Auth.NONE),
                parse("server: {}\n").metrics());
    }

    @Test
    void everyKey() throws Exception {
        assertEquals(
                new MetricsConfig(false, "/internal/prom", MetricsConfig.Auth.ADMIN),
                parse("metrics: {enabled: false, path: /internal/prom, auth: admin}\n")
                        .metrics());
        assertEquals(
                MetricsConfig.Auth.NONE,
                parse("metrics: {auth: none}\n").metrics().auth());
    }

    @Test
    void mistakesAreOneLineErrors() {
        assertEquals("metrics.enable: unknown key (known: enabled, path, auth)", error("metrics: {enable: true}\n"));
        assertEquals("metrics.auth: expected one of none, admin, got \"client\"", error("metrics: {auth: client}\n"));
        assertEquals(
                "metrics.path: must be an absolute path such as /metrics, got \"metrics\"",
                error("metrics: {path: metrics}\n"));
        assertEquals(
                "metrics.path: must not be /health or under /v1 or /admin, got \"/admin/metrics\"",
                error("metrics: {path: /admin/metrics}\n"));
        assertEquals(
                "metrics.path: must not be /health or under /v1 or /admin, got \"/v1/metrics\"",
                error("metrics: {path: /v1/metrics}\n"));
    }
}
