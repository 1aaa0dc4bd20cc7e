package io.aigw.server.limits;

import io.aigw.server.testing.TestRedis;
import io.aigw.server.testing.TestUpstream;
import java.nio.file.Path;

/** The in-process tests' config: one mock provider, route {@code m}, two config-file keys, an admin key. */
final class LimitsYaml {
    static final String KEY = "sk-test-client-key";
    static final String OTHER_KEY = "sk-test-other-client-key";
    static final String ADMIN_KEY = "sk-test-admin-key";

    private LimitsYaml() {}

    /** {@code limits} is the block's body, indented by two spaces per line. */
    static String yaml(Path dataDir, TestUpstream upstream, String limits) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s", "%s"], admin_keys: ["%s"]}
                data_dir: "%s"
                request_log: {store: off}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  m: {retries: {count: 0}, providers: {mock: {model_id: m}}}
                limits:
                """.formatted(KEY, OTHER_KEY, ADMIN_KEY, dataDir, upstream.baseUrl()) + limits;
    }

    /** The {@code store} lines for {@code local}, or {@code redis} on {@code redis} (null for local). */
    static String store(TestRedis redis) {
        return redis == null
                ? "  store: local\n"
                : "  store: redis\n  redis: {url: \"" + redis.url() + "\", prefix: \"" + redis.prefix()
                        + "\", timeout_ms: 500}\n";
    }
}
