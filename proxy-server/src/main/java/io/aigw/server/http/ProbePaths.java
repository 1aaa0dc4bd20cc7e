package io.aigw.server.http;

import java.util.Set;

/**
 * The probes' paths ({@code /health}, {@code /readyz}, {@code /health/readiness}): answered without
 * a key, and no row in the request log (a probe every few seconds is not traffic).
 */
public final class ProbePaths {
    private static final Set<String> PATHS = Set.of("/health", "/readyz", "/health/readiness");

    private ProbePaths() {}

    public static boolean isProbe(String path) {
        return PATHS.contains(path);
    }
}
