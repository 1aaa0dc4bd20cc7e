package io.aigw.server.it;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.server.ProxyServer;
import io.aigw.server.dialect.Dialects;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.runtime.ConfigSource;
import io.aigw.server.testing.VirtualTime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Starts the real proxy on an ephemeral port from a YAML config, as {@code Main} would, for tests
 * that talk to it over a socket.
 */
public final class ProxyHarness implements AutoCloseable {
    public static final String KEY = "sk-test-client-key";
    /** The admin key of configs that list it under {@code auth.admin_keys}. */
    public static final String ADMIN_KEY = "sk-test-admin-key";

    private final ProxyServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ProxyHarness(ProxyServer server) {
        this.server = server;
    }

    /**
     * A proxy with one {@code openai}-type provider named {@code mock} at baseUrl serving the given
     * models, without retries.
     */
    public static ProxyHarness start(String baseUrl, String extraProviderYaml, String... modelToId) throws Exception {
        StringBuilder yaml = new StringBuilder()
                .append("server: {host: 127.0.0.1, port: 0}\n")
                .append("auth: {api_keys: [\"")
                .append(KEY)
                .append("\"]}\n")
                .append("providers:\n")
                .append("  mock:\n")
                .append("    type: openai\n")
                .append("    base_url: \"")
                .append(baseUrl)
                .append("\"\n")
                .append("    api_key: sk-provider-secret\n")
                .append(extraProviderYaml == null ? "" : extraProviderYaml)
                .append("models:\n");
        for (int i = 0; i < modelToId.length; i += 2) {
            // Single attempts: these tests see each provider failure as it is; retries have their own tests.
            yaml.append("  ")
                    .append(modelToId[i])
                    .append(":\n")
                    .append("    retries: {count: 0}\n")
                    .append("    providers:\n")
                    .append("      mock: {model_id: \"")
                    .append(modelToId[i + 1])
                    .append("\"}\n");
        }
        return startYaml(yaml.toString());
    }

    public static ProxyHarness startYaml(String yaml) throws Exception {
        return startYaml(yaml, Dialects.TYPES);
    }

    public static ProxyHarness startYaml(String yaml, Set<String> providerTypes) throws Exception {
        ProxyConfig config = new ConfigLoader(providerTypes, Map.of()).parse(yaml, "test.yaml");
        return new ProxyHarness(
                new ProxyServer(config, new ApiKeyStore(config.auth().apiKeyHashes())).start());
    }

    /** From a config file, as {@code Main} starts it: a reload reads the file again. */
    public static ProxyHarness startFile(Path file) throws Exception {
        ConfigSource source = new ConfigSource(file, Dialects.TYPES, Map.of());
        ProxyConfig config = source.load();
        return new ProxyHarness(
                new ProxyServer(config, new ApiKeyStore(config.auth().apiKeyHashes()))
                        .withConfigSource(source)
                        .start());
    }

    /** With {@code listeners} hearing every exchange after the server's own. */
    public static ProxyHarness startYaml(String yaml, List<? extends ExchangeListener> listeners) throws Exception {
        ProxyConfig config = new ConfigLoader(Dialects.TYPES, Map.of()).parse(yaml, "test.yaml");
        return new ProxyHarness(
                new ProxyServer(config, new ApiKeyStore(config.auth().apiKeyHashes()))
                        .withListeners(listeners)
                        .start());
    }

    /** With {@code setup} applied to the server before it starts (listeners, a key store). */
    public static ProxyHarness startYaml(String yaml, UnaryOperator<ProxyServer> setup) throws Exception {
        ProxyConfig config = new ConfigLoader(Dialects.TYPES, Map.of()).parse(yaml, "test.yaml");
        return new ProxyHarness(setup.apply(
                        new ProxyServer(config, new ApiKeyStore(config.auth().apiKeyHashes())))
                .start());
    }

    /** Breakers, cooldowns and retry waits on {@code time} instead of the system clock. */
    public static ProxyHarness startYaml(String yaml, VirtualTime time) throws Exception {
        ProxyConfig config = new ConfigLoader(Dialects.TYPES, Map.of()).parse(yaml, "test.yaml");
        return new ProxyHarness(
                new ProxyServer(config, new ApiKeyStore(config.auth().apiKeyHashes()), time, time).start());
    }

    public ProxyServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public HttpResponse<String> post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + KEY)
                .GET()
                .build());
    }

    /** A request without a body, with {@code key} as the Bearer key (null: no Authorization header). */
    public HttpResponse<String> call(String method, String path, String key) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url(path))).method(method, HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return send(b.build());
    }

    /** {@code GET} with the {@link #ADMIN_KEY}. */
    public HttpResponse<String> adminGet(String path) throws Exception {
        return call("GET", path, ADMIN_KEY);
    }

    /** {@code POST} without a body, with the {@link #ADMIN_KEY}. */
    public HttpResponse<String> adminPost(String path) throws Exception {
        return call("POST", path, ADMIN_KEY);
    }

    public HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        server.close();
    }
}
