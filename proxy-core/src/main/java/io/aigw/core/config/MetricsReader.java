package io.aigw.core.config;

import io.aigw.core.config.MetricsConfig.Auth;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reads the {@code metrics:} block into a {@link MetricsConfig}. */
final class MetricsReader {
    static final List<String> KEYS = List.of("enabled", "path", "auth");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]*");

    private MetricsReader() {}

    static MetricsConfig read(ConfigNode n) throws ConfigException {
        n.mapping(KEYS);
        MetricsConfig d = MetricsConfig.defaults();
        boolean enabled = n.child("enabled").bool(d.enabled());
        ConfigNode pathNode = n.child("path");
        String path = pathNode.string(d.path()).trim();
        if (!PATH.matcher(path).matches() || path.length() < 2) {
            throw pathNode.error("must be an absolute path such as /metrics, got " + ConfigNode.quote(path));
        }
        // The proxied API, the admin API and /health keep their own paths and their own auth.
        if (path.startsWith("/v1/") || path.equals("/v1") || path.startsWith("/admin") || path.equals("/health")) {
            throw pathNode.error("must not be /health or under /v1 or /admin, got " + ConfigNode.quote(path));
        }
        ConfigNode authNode = n.child("auth");
        String auth = authNode.string("none").trim();
        Auth a;
        switch (auth.toLowerCase(Locale.ROOT)) {
            case "none" -> a = Auth.NONE;
            case "admin" -> a = Auth.ADMIN;
            default -> throw authNode.error("expected one of none, admin, got " + ConfigNode.quote(auth));
        }
        return new MetricsConfig(enabled, path, a);
    }
}
