package io.aigw.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads the {@code providers:} block. */
final class ProviderReader {
    /**
     * Provider types with one well-known address need no base_url: Anthropic's and Google's public
     * APIs, and a local Ollama on its default port (native API root, not its /v1 layer).
     */
    private static final Map<String, String> DEFAULT_BASE_URLS = Map.of(
            "anthropic", "https://api.anthropic.com",
            "gemini", "https://generativelanguage.googleapis.com",
            "ollama", "http://127.0.0.1:11434");

    static final List<String> KEYS;
    /** The azure-only keys are unknown (an error) for every other type. */
    static final List<String> AZURE_KEYS;

    static final List<String> TLS_KEYS = List.of("verify", "ca_file");

    static {
        List<String> keys =
                new ArrayList<>(List.of("type", "base_url", "api_key", "api_keys", "key_strategy", "headers", "tls"));
        keys.addAll(UpstreamReader.KEYS);
        KEYS = List.copyOf(keys);
        keys.addAll(2, AzureReader.KEYS);
        AZURE_KEYS = List.copyOf(keys);
    }

    /** Headers that frame or route the upstream request; letting the file set them would corrupt it. */
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "upgrade",
            "te",
            "trailer",
            "proxy-connection");

    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private final Set<String> types;
    private final Path baseDir;
    private final UpstreamSettings upstreamDefaults;

    ProviderReader(Set<String> types, Path baseDir, UpstreamSettings upstreamDefaults) {
        this.types = types;
        this.baseDir = baseDir;
        this.upstreamDefaults = upstreamDefaults;
    }

    Map<String, ProviderConfig> readAll(ConfigNode providers) throws ConfigException {
        Map<String, ProviderConfig> result = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : providers.entries().entrySet()) {
            result.put(e.getKey(), read(e.getKey(), e.getValue()));
        }
        return Collections.unmodifiableMap(result);
    }

    private ProviderConfig read(String name, ConfigNode n) throws ConfigException {
        n.entries(); // a mapping, before anything is looked up in it
        String type = n.child("type").requiredString();
        if (!types.contains(type)) {
            throw n.child("type")
                    .error("unknown provider type '" + type + "' (known: " + String.join(", ", types) + ")");
        }
        boolean azure = "azure".equals(type);
        n.mapping(azure ? AZURE_KEYS : KEYS);
        List<String> apiKeys = apiKeys(n);
        String apiKey = apiKeys.isEmpty() ? "" : apiKeys.get(0);
        return new ProviderConfig(
                name,
                type,
                baseUrl(n.child("base_url"), DEFAULT_BASE_URLS.get(type)),
                apiKey,
                headers(n.child("headers")),
                UpstreamReader.read(n, upstreamDefaults),
                tls(n.child("tls").mapping(TLS_KEYS)),
                azure ? AzureReader.read(n, apiKey) : null,
                apiKeys,
                keyStrategy(n.child("key_strategy")));
    }

    /**
     * {@code api_key} (one key) or {@code api_keys} (several), not both. Empty values count as unset,
     * so {@code ${VAR:-}} entries can be switched off from the environment. No key is ever echoed.
     */
    private static List<String> apiKeys(ConfigNode n) throws ConfigException {
        ConfigNode single = n.child("api_key");
        String key = headerSafe(single, single.secretString(""));
        ConfigNode listNode = n.child("api_keys");
        List<String> keys = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (ConfigNode entry : listNode.elements()) {
            String value = headerSafe(entry, entry.secretString(""));
            if (value.isEmpty()) {
                continue;
            }
            int seen = keys.indexOf(value);
            if (seen >= 0) {
                throw entry.error("the same key as " + paths.get(seen));
            }
            keys.add(value);
            paths.add(entry.path());
        }
        if (!key.isEmpty() && !keys.isEmpty()) {
            throw listNode.error("set either api_key or api_keys, not both");
        }
        return key.isEmpty() ? List.copyOf(keys) : List.of(key);
    }

    private static ProviderConfig.KeyStrategy keyStrategy(ConfigNode n) throws ConfigException {
        String s = n.string("round_robin").trim();
        return switch (s) {
            case "round_robin" -> ProviderConfig.KeyStrategy.ROUND_ROBIN;
            case "priority" -> ProviderConfig.KeyStrategy.PRIORITY;
            case "least_used" -> ProviderConfig.KeyStrategy.LEAST_USED;
            default -> throw n.error("expected round_robin, priority or least_used, got " + ConfigNode.quote(s));
        };
    }

    /**
     * Header values (and the key, which becomes one) must be sendable: a line break from an env file
     * or a mounted secret would otherwise fail every request. The value itself is never echoed.
     */
    static String headerSafe(ConfigNode n, String value) throws ConfigException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw n.error("value contains a line break");
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw n.error("value contains a control character");
            }
        }
        return value;
    }

    private static URI baseUrl(ConfigNode n, String defaultUrl) throws ConfigException {
        String raw = (defaultUrl != null && n.isAbsent() ? defaultUrl : n.requiredString()).trim();
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
            // A URL with user info may carry a password, so it is not echoed.
            throw n.error("not an absolute http(s) URL" + (raw.contains("@") ? "" : ": " + ConfigNode.quote(raw)));
        }
        if (uri.getRawUserInfo() != null) {
            throw n.error("must not contain user info (use api_key or headers for credentials)");
        }
        // A query may carry a key, so it is not echoed either.
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw n.error("must not have a query or fragment");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw n.error("invalid port in " + ConfigNode.quote(raw));
        }
        String normalised = raw;
        while (normalised.endsWith("/")) {
            normalised = normalised.substring(0, normalised.length() - 1);
        }
        return URI.create(normalised);
    }

    private static Map<String, String> headers(ConfigNode n) throws ConfigException {
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, ConfigNode> e : n.entries().entrySet()) {
            String name = e.getKey();
            ConfigNode h = e.getValue();
            if (!isToken(name)) {
                throw h.error("not a valid HTTP header name");
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw h.error("set by the proxy itself, cannot be configured");
            }
            if (!seen.add(name)) {
                throw h.error("duplicate header (names are case-insensitive)");
            }
            headers.put(name, headerSafe(h, h.secretString("")));
        }
        return Collections.unmodifiableMap(headers);
    }

    private TlsConfig tls(ConfigNode n) throws ConfigException {
        if (n.isAbsent()) {
            return TlsConfig.DEFAULT;
        }
        boolean verify = n.child("verify").bool(true);
        ConfigNode caNode = n.child("ca_file");
        // Empty means unset, so `ca_file: ${CA_FILE:-}` can be switched from the environment.
        String ca = caNode.string("");
        if (ca.isEmpty()) {
            return new TlsConfig(verify, null);
        }
        Path caFile;
        try {
            caFile = baseDir.resolve(ca).normalize();
        } catch (InvalidPathException e) {
            throw caNode.error("not a valid path: " + ConfigNode.quote(ca));
        }
        if (!Files.exists(caFile)) {
            throw caNode.error("file not found: " + caFile);
        }
        if (!Files.isRegularFile(caFile) || !Files.isReadable(caFile)) {
            throw caNode.error("not a readable file: " + caFile);
        }
        return new TlsConfig(verify, caFile);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
