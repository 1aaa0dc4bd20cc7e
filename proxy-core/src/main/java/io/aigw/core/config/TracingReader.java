package io.aigw.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads the {@code tracing:} block into a {@link TracingConfig}. */
final class TracingReader {
    static final List<String> KEYS =
            List.of("otlp_endpoint", "sample_ratio", "service_name", "headers", "capture_content");

    private TracingReader() {}

    static TracingConfig read(ConfigNode n) throws ConfigException {
        n.mapping(KEYS);
        TracingConfig d = TracingConfig.OFF;
        // Empty means off, so `otlp_endpoint: ${OTLP_ENDPOINT:-}` can be switched from the environment.
        String raw = n.child("otlp_endpoint").string("").trim();
        URI endpoint = raw.isEmpty() ? null : endpoint(n.child("otlp_endpoint"), raw);
        double ratio = ratio(n.child("sample_ratio"), d.sampleRatio());
        String service = n.child("service_name").string(d.serviceName()).trim();
        if (service.isEmpty()) {
            throw n.child("service_name").error("must not be empty");
        }
        return new TracingConfig(
                endpoint,
                ratio,
                service,
                headers(n.child("headers")),
                n.child("capture_content").bool(false));
    }

    private static URI endpoint(ConfigNode n, String raw) throws ConfigException {
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            uri = null;
        }
        boolean http = uri != null
                && uri.getScheme() != null
                && (uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"));
        if (!http || uri.isOpaque() || uri.getHost() == null) {
            throw n.error("not an absolute http(s) URL" + (raw.contains("@") ? "" : ": " + ConfigNode.quote(raw)));
        }
        if (uri.getRawUserInfo() != null) {
            throw n.error("must not contain user info (use headers for credentials)");
        }
        return uri;
    }

    /** A number from 0 to 1; YAML gives a float node, a substituted variable a string. */
    private static double ratio(ConfigNode n, double defaultValue) throws ConfigException {
        double value = n.number(defaultValue);
        if (!(value >= 0 && value <= 1)) {
            throw n.error("must be between 0 and 1, got " + value);
        }
        return value;
    }

    private static Map<String, String> headers(ConfigNode n) throws ConfigException {
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, ConfigNode> e : n.entries().entrySet()) {
            String name = e.getKey();
            ConfigNode h = e.getValue();
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw h.error("not a valid HTTP header name");
            }
            if (name.toLowerCase(Locale.ROOT).equals("content-type")) {
                throw h.error("set by the exporter itself, cannot be configured");
            }
            if (!seen.add(name)) {
                throw h.error("duplicate header (names are case-insensitive)");
            }
            headers.put(name, ProviderReader.headerSafe(h, h.secretString("")));
        }
        return Collections.unmodifiableMap(headers);
    }
}
