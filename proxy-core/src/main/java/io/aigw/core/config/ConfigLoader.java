package io.aigw.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.config.ProxyConfig.ModelRoute;
import io.aigw.core.config.ProxyConfig.Retries;
import io.aigw.core.config.ProxyConfig.RouteStrategy;
import io.aigw.core.cost.Price;
import io.aigw.core.routing.FailureClass;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code proxy.yaml} into a fully defaulted and validated {@link ProxyConfig}. Every problem
 * is a {@link ConfigException} whose message is one line naming the key path; secrets (provider
 * keys, header values, client keys) are never part of a message.
 */
public final class ConfigLoader {
    public static final Path DEFAULT_CONFIG_PATH = Path.of("conf", "proxy.yaml");

    static final List<String> TOP_KEYS = List.of(
            "server",
            "upstream",
            "auth",
            "data_dir",
            "providers",
            "models",
            "request_log",
            "metrics",
            "tracing",
            "logging",
            "keys",
            "limits",
            "config_watch");
    static final List<String> SERVER_KEYS = List.of(
            "host",
            "port",
            "max_body_bytes",
            "max_initial_line_bytes",
            "max_header_bytes",
            "request_read_timeout_ms",
            "idle_timeout_ms",
            "io_threads",
            "shutdown_grace_ms",
            "max_connections",
            "max_connections_per_ip",
            "reuse_port");
    static final List<String> AUTH_KEYS = List.of("api_keys", "admin_keys");
    static final List<String> MODEL_KEYS = List.of("strategy", "retries", "retry_on", "timeout_ms", "providers");
    static final List<String> RETRY_KEYS = List.of("count", "backoff_ms", "max_backoff_ms", "retry_after_cap_ms");
    static final List<String> DEPLOYMENT_KEYS = List.of("priority", "model_id", "weight", "max_tokens", "price");
    static final List<String> PRICE_KEYS = List.of("input", "output", "cached_input");

    /** Plaintext client and admin keys shorter than this are refused: guessable (a hash cannot be checked). */
    public static final int MIN_KEY_LENGTH = 16;

    private static final YAMLMapper YAML = newYamlMapper();
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern DUPLICATE_FIELD = Pattern.compile("Duplicate field '([^']*)'");

    private final Set<String> providerTypes;
    private final Map<String, String> env;

    /**
     * @param providerTypes the provider {@code type} values this build supports
     * @param env the environment used for {@code ${VAR}} substitution and the {@code PROXY_*} overrides
     */
    public ConfigLoader(Set<String> providerTypes, Map<String, String> env) {
        this.providerTypes = Collections.unmodifiableSet(new TreeSet<>(providerTypes));
        this.env = Map.copyOf(env);
    }

    public ProxyConfig load(Path file) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + reason(e));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(yaml, file.toString(), dir);
    }

    /** Parses text; a relative {@code ca_file} is resolved against the working directory. */
    public ProxyConfig parse(String yaml, String sourceName) throws ConfigException {
        return parse(yaml, sourceName, Path.of("").toAbsolutePath());
    }

    /** Parses text; a relative {@code ca_file} is resolved against {@code baseDir}. */
    public ProxyConfig parse(String yaml, String sourceName, Path baseDir) throws ConfigException {
        ConfigNode root = ConfigNode.root(readTree(yaml, sourceName), new EnvSubstitutor(env), new ConfigSecrets(env));
        if (root.isAbsent()) {
            throw new ConfigException(sourceName + ": the configuration is empty");
        }
        if (!root.isMapping()) {
            throw new ConfigException(
                    sourceName + ": the top level must be a mapping of keys (" + String.join(", ", TOP_KEYS) + ")");
        }
        root.mapping(TOP_KEYS);

        ServerConfig server = readServer(root.child("server"));
        ConfigNode upstreamNode = root.child("upstream").mapping(UpstreamReader.TOP_KEYS);
        UpstreamSettings upstream = UpstreamReader.read(upstreamNode, UpstreamReader.DEFAULTS);
        long maxBufferedBytes = UpstreamReader.maxBufferedBytes(upstreamNode);
        AuthConfig auth = readAuth(root.child("auth"), root.child("keys"));
        Path dataDir = toPath(root.child("data_dir"), "./data");
        Map<String, ProviderConfig> providers =
                new ProviderReader(providerTypes, baseDir, upstream).readAll(root.child("providers"));
        Map<String, ModelRoute> models = readModels(root.child("models"), providers);
        RequestLogConfig requestLog = RequestLogReader.read(root.child("request_log"), dataDir);
        MetricsConfig metrics = MetricsReader.read(root.child("metrics"));
        TracingConfig tracing = TracingReader.read(root.child("tracing"));
        LoggingConfig logging = LoggingReader.read(root.child("logging"));
        LimitsConfig limits = LimitsReader.read(root.child("limits"));
        boolean configWatch = root.child("config_watch").bool(false);
        return new ProxyConfig(
                server,
                auth,
                providers,
                models,
                dataDir,
                requestLog,
                maxBufferedBytes,
                metrics,
                tracing,
                logging,
                limits,
                configWatch);
    }

    /**
     * Where the configuration file is: {@code --config FILE} or {@code --config=FILE}, else
     * {@code PROXY_CONFIG}, else {@code conf/proxy.yaml}.
     */
    public static Path resolveConfigPath(List<String> args, Map<String, String> env) throws ConfigException {
        String value = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String given;
            if (arg.equals("--config")) {
                given = i + 1 < args.size() && !args.get(i + 1).startsWith("--") ? args.get(++i) : "";
            } else if (arg.startsWith("--config=")) {
                given = arg.substring("--config=".length());
            } else {
                throw new ConfigException("unknown argument '" + arg + "' (usage: --config FILE)");
            }
            if (given.isEmpty()) {
                throw new ConfigException("--config: missing file name (usage: --config FILE)");
            }
            if (value != null) {
                throw new ConfigException("--config: given more than once (usage: --config FILE)");
            }
            value = given;
        }
        if (value == null) {
            String fromEnv = env.get("PROXY_CONFIG");
            value = fromEnv == null || fromEnv.isBlank() ? null : fromEnv.trim();
        }
        try {
            return value == null ? DEFAULT_CONFIG_PATH : Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException("--config: not a valid path: " + ConfigNode.quote(value));
        }
    }

    private ServerConfig readServer(ConfigNode n) throws ConfigException {
        n.mapping(SERVER_KEYS);
        String host = n.child("host").string("0.0.0.0").trim();
        if (host.isEmpty()) {
            throw n.child("host").error("must not be empty");
        }
        int port = n.child("port").integer(8080, 0, 65535);
        String envPort = env.get("PROXY_PORT");
        if (envPort != null && !envPort.isBlank()) {
            port = ConfigNode.literal("PROXY_PORT", envPort).integer(port, 0, 65535);
        }
        return new ServerConfig(
                host,
                port,
                n.child("max_body_bytes").longInteger(32L * 1024 * 1024, 1024, Long.MAX_VALUE),
                n.child("max_initial_line_bytes").integer(8192, 256, Integer.MAX_VALUE),
                n.child("max_header_bytes").integer(16384, 1024, Integer.MAX_VALUE),
                UpstreamReader.millis(n.child("request_read_timeout_ms"), 30_000),
                UpstreamReader.millis(n.child("idle_timeout_ms"), 120_000),
                n.child("io_threads").integer(0, 0, Integer.MAX_VALUE),
                UpstreamReader.millis(n.child("shutdown_grace_ms"), 30_000),
                n.child("max_connections").integer(ServerConfig.DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE),
                n.child("max_connections_per_ip").integer(0, 0, Integer.MAX_VALUE),
                reusePort(n.child("reuse_port")));
    }

    /** {@code auto} (default), {@code true} or {@code false}; YAML's booleans or the words. */
    private static ServerConfig.ReusePort reusePort(ConfigNode n) throws ConfigException {
        if (!n.isAbsent() && !n.isTextual()) {
            return n.bool(false) ? ServerConfig.ReusePort.ON : ServerConfig.ReusePort.OFF;
        }
        String value = n.string("auto").trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "auto" -> ServerConfig.ReusePort.AUTO;
            case "true", "on" -> ServerConfig.ReusePort.ON;
            case "false", "off" -> ServerConfig.ReusePort.OFF;
            default -> throw n.error("must be auto, true or false");
        };
    }

    private AuthConfig readAuth(ConfigNode n, ConfigNode keys) throws ConfigException {
        n.mapping(AUTH_KEYS);
        Set<KeyHash> hashes = readKeys(n.child("api_keys"), "PROXY_API_KEYS", null);
        Set<KeyHash> adminHashes = readKeys(n.child("admin_keys"), "PROXY_ADMIN_KEYS", hashes);
        keys.mapping(List.of("store"));
        ConfigNode store = keys.child("store");
        String mode = store.isFalse() ? "off" : store.string("database").trim();
        if (!mode.equals("database") && !mode.equals("off")) {
            throw store.error("expected one of database, off, got " + ConfigNode.quote(mode));
        }
        return new AuthConfig(List.copyOf(hashes), List.copyOf(adminHashes), mode.equals("database"));
    }

    /**
     * The keys of one list plus those of its environment variable (comma-separated), hashed.
     * With {@code exclude}, a key also found there is an error: admin keys must differ from client keys.
     */
    private Set<KeyHash> readKeys(ConfigNode list, String envName, Set<KeyHash> exclude) throws ConfigException {
        Set<KeyHash> hashes = new LinkedHashSet<>();
        for (ConfigNode entry : list.elements()) {
            addKey(hashes, entry.secretString(""), entry.path(), exclude);
        }
        String fromEnv = env.get(envName);
        if (fromEnv != null) {
            String[] parts = fromEnv.split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                addKey(hashes, parts[i].trim(), envName + "[" + i + "]", exclude);
            }
        }
        return hashes;
    }

    /** A {@code sha256:<hex>} entry is kept as is; anything else is a plaintext key, hashed at once. */
    private static void addKey(Set<KeyHash> hashes, String key, String path, Set<KeyHash> exclude)
            throws ConfigException {
        if (key.isEmpty()) {
            return;
        }
        KeyHash hash;
        if (key.startsWith("sha256:")) {
            String hex = key.substring("sha256:".length());
            if (!SHA256_HEX.matcher(hex).matches()) {
                throw ConfigNode.error(path, "not a sha256 hash");
            }
            hash = KeyHash.ofHex(hex);
        } else {
            if (key.length() < MIN_KEY_LENGTH) {
                // Never the value: a short key is still a key.
                throw ConfigNode.error(path, "too short: a key must have at least " + MIN_KEY_LENGTH + " characters");
            }
            hash = KeyHash.ofKey(key);
        }
        if (exclude != null && exclude.contains(hash)) {
            throw ConfigNode.error(path, "also a client key (admin keys must be separate from api_keys)");
        }
        hashes.add(hash);
    }

    private static Map<String, ModelRoute> readModels(ConfigNode n, Map<String, ProviderConfig> providers)
            throws ConfigException {
        Map<String, ModelRoute> models = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> model : n.entries().entrySet()) {
            String name = model.getKey();
            ConfigNode mn = model.getValue().mapping(MODEL_KEYS);
            boolean wildcard = isWildcard(mn, name);
            ConfigNode deploymentsNode = mn.child("providers");
            if (deploymentsNode.isAbsent()) {
                throw deploymentsNode.error("missing");
            }
            Map<String, ConfigNode> entries = deploymentsNode.entries();
            if (entries.isEmpty()) {
                throw deploymentsNode.error("must name at least one provider");
            }
            if (wildcard && entries.size() > 1) {
                throw deploymentsNode.error("a wildcard route must name exactly one provider");
            }
            List<Deployment> deployments = new ArrayList<>();
            for (Map.Entry<String, ConfigNode> d : entries.entrySet()) {
                ConfigNode dn = d.getValue();
                if (!providers.containsKey(d.getKey())) {
                    throw dn.error("unknown provider '" + d.getKey() + "'");
                }
                dn.mapping(DEPLOYMENT_KEYS);
                int priority = dn.child("priority").integer(0, 0, Integer.MAX_VALUE);
                if (wildcard && !dn.child("model_id").isAbsent()) {
                    throw dn.child("model_id")
                            .error("not allowed in a wildcard route (the rest of the requested name is the model id)");
                }
                String modelId = wildcard ? "" : dn.child("model_id").string(name);
                if (!wildcard && modelId.isEmpty()) {
                    throw dn.child("model_id").error("must not be empty");
                }
                int weight = dn.child("weight").integer(1, 0, Integer.MAX_VALUE);
                int maxTokens = dn.child("max_tokens").integer(0, 0, Integer.MAX_VALUE);
                Price price = price(dn.child("price"));
                deployments.add(new Deployment(d.getKey(), modelId, priority, weight, maxTokens, price));
            }
            deployments.sort(Comparator.comparingInt(Deployment::priority)); // List.sort is stable
            long longestTotal = 0;
            for (Deployment d : deployments) {
                longestTotal = Math.max(
                        longestTotal,
                        providers.get(d.provider()).upstream().totalTimeout().toMillis());
            }
            models.put(
                    name,
                    new ModelRoute(
                            name,
                            List.copyOf(deployments),
                            routeStrategy(mn.child("strategy")),
                            retries(mn.child("retries")),
                            UpstreamReader.millis(mn.child("timeout_ms"), longestTotal),
                            retryOn(mn.child("retry_on"))));
        }
        return Collections.unmodifiableMap(models);
    }

    /**
     * A deployment's {@code price: {input, output, cached_input}} in USD per million tokens, or null
     * when absent: input and output are required, cached_input defaults to input, each a finite
     * number of at least 0.
     */
    private static Price price(ConfigNode n) throws ConfigException {
        if (n.isAbsent()) {
            return null;
        }
        if (!n.isMapping()) {
            throw n.error("expected a mapping {input, output, cached_input} (USD per million tokens)");
        }
        n.mapping(PRICE_KEYS);
        double input = usdPerMillion(n.child("input"), true, 0);
        double output = usdPerMillion(n.child("output"), true, 0);
        double cached = usdPerMillion(n.child("cached_input"), false, input);
        return new Price(input, output, cached);
    }

    private static double usdPerMillion(ConfigNode n, boolean required, double defaultValue) throws ConfigException {
        if (n.isAbsent()) {
            if (required) {
                throw n.error("missing (USD per million tokens)");
            }
            return defaultValue;
        }
        double v = n.number(defaultValue);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw n.error("must be a number of at least 0 (USD per million tokens), got " + v);
        }
        return v;
    }

    /** {@code prefix/*} is a wildcard route; a {@code *} anywhere else is refused rather than read literally. */
    private static boolean isWildcard(ConfigNode n, String name) throws ConfigException {
        boolean wildcard = name.endsWith("/*") && name.length() > 2;
        int star = name.indexOf('*');
        if (star >= 0 && (!wildcard || star != name.length() - 1)) {
            throw n.error("'*' is only allowed as a final '/*' after a prefix (as in \"openrouter/*\")");
        }
        return wildcard;
    }

    private static RouteStrategy routeStrategy(ConfigNode n) throws ConfigException {
        String s = n.string("priority").trim();
        return switch (s) {
            case "priority" -> RouteStrategy.PRIORITY;
            case "least_latency" -> RouteStrategy.LEAST_LATENCY;
            default -> throw n.error("expected priority or least_latency, got " + ConfigNode.quote(s));
        };
    }

    /** The failure classes of {@code retry_on}; an unknown or never-retried one is an error naming the entry. */
    private static Set<FailureClass> retryOn(ConfigNode n) throws ConfigException {
        if (n.isAbsent()) {
            return FailureClass.DEFAULT_RETRY_ON;
        }
        Set<FailureClass> classes = EnumSet.noneOf(FailureClass.class);
        List<String> known = new ArrayList<>();
        for (FailureClass c : FailureClass.values()) {
            if (c.retryable()) {
                known.add(c.configName());
            }
        }
        for (ConfigNode e : n.elements()) {
            String name = e.requiredString().trim();
            FailureClass found = null;
            for (FailureClass c : FailureClass.values()) {
                if (c.configName().equals(name)) {
                    found = c;
                }
            }
            if (found == null) {
                throw e.error("expected one of " + String.join(", ", known) + ", got " + ConfigNode.quote(name));
            }
            if (!found.retryable()) {
                throw e.error(ConfigNode.quote(name) + " is never retried (it would fail again); expected one of "
                        + String.join(", ", known));
            }
            classes.add(found);
        }
        return Collections.unmodifiableSet(classes);
    }

    private static Retries retries(ConfigNode n) throws ConfigException {
        n.mapping(RETRY_KEYS);
        Retries d = Retries.DEFAULT;
        int count = n.child("count").integer(d.count(), 0, 10);
        long backoff = n.child("backoff_ms").longInteger(d.backoff().toMillis(), 0, Integer.MAX_VALUE);
        ConfigNode maxNode = n.child("max_backoff_ms");
        long maxBackoff = maxNode.longInteger(Math.max(d.maxBackoff().toMillis(), backoff), 0, Integer.MAX_VALUE);
        if (maxBackoff < backoff) {
            throw maxNode.error("must be at least backoff_ms (" + backoff + "), got " + maxBackoff);
        }
        long cap = n.child("retry_after_cap_ms").longInteger(d.retryAfterCap().toMillis(), 0, Integer.MAX_VALUE);
        return new Retries(count, Duration.ofMillis(backoff), Duration.ofMillis(maxBackoff), Duration.ofMillis(cap));
    }

    private static Path toPath(ConfigNode n, String defaultValue) throws ConfigException {
        return pathOf(n, n.string(defaultValue));
    }

    /** {@code value}, read from {@code n}, as a path: not empty and valid here. */
    static Path pathOf(ConfigNode n, String value) throws ConfigException {
        if (value.isEmpty()) {
            throw n.error("must not be empty");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw n.error("not a valid path: " + ConfigNode.quote(value));
        }
    }

    private static JsonNode readTree(String yaml, String sourceName) throws ConfigException {
        try {
            return YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw yamlError(e, sourceName);
        } catch (YAMLException e) {
            // SnakeYAML's own limits (alias count, nesting depth, size) surface unwrapped.
            throw new ConfigException(sourceName + ": " + firstLine(e.getMessage()));
        }
    }

    private static ConfigException yamlError(JsonProcessingException e, String sourceName) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                String problem = m.getProblem() != null ? m.getProblem() : m.getContext();
                return at(
                        sourceName,
                        m.getProblemMark().getLine() + 1,
                        m.getProblemMark().getColumn() + 1,
                        firstLine(problem));
            }
        }
        String problem = firstLine(e.getOriginalMessage());
        Matcher duplicate = DUPLICATE_FIELD.matcher(problem);
        if (duplicate.find()) {
            problem = "duplicate key '" + duplicate.group(1) + "'";
        } else if (problem.startsWith("Trailing token")) {
            problem = "only one YAML document is allowed";
        }
        JsonLocation loc = e.getLocation();
        return loc == null
                ? new ConfigException(sourceName + ": " + problem)
                : at(sourceName, loc.getLineNr(), loc.getColumnNr(), problem);
    }

    private static ConfigException at(String sourceName, int line, int column, String problem) {
        return ConfigNode.error(sourceName + " line " + line + " column " + column, problem);
    }

    private static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return "malformed YAML";
        }
        int nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).trim();
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not valid UTF-8";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static YAMLMapper newYamlMapper() {
        // Jackson's YAML reader only builds a JsonNode tree from parser events, never objects named
        // by tags, so SnakeYAML's constructor (the arbitrary-object risk) is never involved. The
        // loader options still bound what a hostile file can cost.
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(50);
        options.setCodePointLimit(4 * 1024 * 1024);
        // A bare `key:` is null (absent, so defaults apply), while `key: ""` stays an empty string.
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(options)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                .build();
        return YAMLMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }
}
