package io.aigw.core.config;

/**
 * The {@code metrics:} block: whether {@code GET path} serves Prometheus metrics, and who may read it.
 *
 * @param path where the scrape is served; exact match, outside {@code /v1/} and {@code /admin}
 * @param auth {@link Auth#NONE}: open like {@code /health}; {@link Auth#ADMIN}: needs an admin key
 */
public record MetricsConfig(boolean enabled, String path, Auth auth) {
    public static final String DEFAULT_PATH = "/metrics";

    /** Who may scrape. */
    public enum Auth {
        NONE,
        ADMIN
    }

    public static MetricsConfig defaults() {
        return new MetricsConfig(true, DEFAULT_PATH, Auth.NONE);
    }
}
