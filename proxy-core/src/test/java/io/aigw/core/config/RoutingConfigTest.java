package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProviderConfig.KeyStrategy;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.config.ProxyConfig.ModelRoute;
import io.aigw.core.config.ProxyConfig.Retries;
import io.aigw.core.config.ProxyConfig.RouteStrategy;
import io.aigw.core.routing.FailureClass;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The routing and resilience keys: admin_keys, breaker, api_keys, key_strategy, strategy, retries, wildcards. */
class RoutingConfigTest {
    private static final Set<String> TYPES = Set.of("openai", "azure");
    private static final String SRC = "test.yaml";
    private static final String OPENAI = """
            providers:
              openai:
                type: openai
                base_url: https://api.openai.com/v1
            """;

    private static ProxyConfig parse(String yaml) throws ConfigException {
        return parse(yaml, Map.of());
    }

    private static ProxyConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(TYPES, env).parse(yaml, SRC);
    }

    private static String error(String yaml) {
        return error(yaml, Map.of());
    }

    private static String error(String yaml, Map<String, String> env) {
        String message =
                assertThrows(ConfigException.class, () -> parse(yaml, env)).getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
        return message;
    }

    private static ProviderConfig openai(String extra) throws ConfigException {
        return openai(extra, Map.of());
    }

    private static ProviderConfig openai(String extra, Map<String, String> env) throws ConfigException {
        return parse(OPENAI + extra, env).providers().get("openai");
    }

    private static ModelRoute model(String block) throws ConfigException {
        return parse(OPENAI + "models:\n  m:\n" + block).models().get("m");
    }

    // ---- auth.admin_keys

    @Test
    void adminKeysDefaultToNone() throws Exception {
        assertEquals(List.of(), parse("server: {}\n").auth().adminKeyHashes());
        assertEquals(List.of(), parse("auth: {admin_keys:}\n").auth().adminKeyHashes());
        assertEquals(new AuthConfig(List.of()), new AuthConfig(List.of(), List.of()));
    }

    @Test
    void adminKeysAreHashedAndSeparateFromClientKeys() throws Exception {
        String hex = KeyHash.ofKey("sk-admin-2-long-enough-key").hex();
        AuthConfig auth = parse(
                        "auth: {api_keys: [sk-client-long-enough-key], admin_keys: [sk-admin-long-enough-key, \"sha256:"
                                + hex + "\", \"\"]}\n",
                        Map.of("PROXY_ADMIN_KEYS", "sk-env-1-long-enough-key, ,sk-env-2-long-enough-key"))
                .auth();
        assertEquals(List.of(KeyHash.ofKey("sk-client-long-enough-key")), auth.apiKeyHashes());
        assertEquals(
                List.of(
                        KeyHash.ofKey("sk-admin-long-enough-key"),
                        KeyHash.ofKey("sk-admin-2-long-enough-key"),
                        KeyHash.ofKey("sk-env-1-long-enough-key"),
                        KeyHash.ofKey("sk-env-2-long-enough-key")),
                auth.adminKeyHashes());
        assertFalse(auth.toString().contains("sk-admin-long-enough-key"));
    }

    @Test
    void adminKeyErrors() {
        assertEquals("auth.admin_keys[0]: not a sha256 hash", error("auth: {admin_keys: [\"sha256:abc\"]}"));
        assertEquals("auth.admin_keys[0]: expected a string, got a number", error("auth: {admin_keys: [12345]}"));
        assertEquals("auth.admin_keys: expected a list, got a string", error("auth: {admin_keys: sk-secret-admin}"));
        assertEquals(
                "PROXY_ADMIN_KEYS[1]: not a sha256 hash",
                error("server: {}\n", Map.of("PROXY_ADMIN_KEYS", "sk-a-long-enough-key,sha256:x")));
        String same = error(
                "auth: {api_keys: [sk-same-secret-long-enough-key], admin_keys: [sk-other-long-enough-key, sk-same-secret-long-enough-key]}");
        assertEquals("auth.admin_keys[1]: also a client key (admin keys must be separate from api_keys)", same);
        assertEquals(
                "PROXY_ADMIN_KEYS[0]: also a client key (admin keys must be separate from api_keys)",
                error(
                        "server: {}\n",
                        Map.of("PROXY_API_KEYS", "sk-x-long-enough-key", "PROXY_ADMIN_KEYS", "sk-x-long-enough-key")));
        assertEquals(
                "auth.admin_keys[0]: also a client key (admin keys must be separate from api_keys)",
                error("auth: {api_keys: [sk-y-long-enough-key], admin_keys: [\"sha256:"
                        + KeyHash.ofKey("sk-y-long-enough-key").hex() + "\"]}"));
    }

    // ---- upstream.breaker

    @Test
    void breakerDefaultsAndOverrides() throws Exception {
        ProviderConfig p = openai("");
        assertEquals(3, p.upstream().breakerFailures());
        assertEquals(Duration.ofMillis(600_000), p.upstream().breakerCooldown());
        assertEquals(UpstreamReader.DEFAULTS, p.upstream());

        ProxyConfig c = parse("upstream: {breaker: {failures: 5, cooldown_ms: 1000}}\n" + OPENAI
                + "    breaker: {failures: 7}\n"
                + "  other: {type: openai, base_url: \"https://o\"}\n");
        assertEquals(7, c.providers().get("openai").upstream().breakerFailures());
        assertEquals(
                Duration.ofMillis(1000), c.providers().get("openai").upstream().breakerCooldown());
        assertEquals(5, c.providers().get("other").upstream().breakerFailures());
        assertEquals(
                Duration.ofMillis(1000), c.providers().get("other").upstream().breakerCooldown());
        assertEquals(
                Duration.ofMillis(2),
                openai("    breaker: {cooldown_ms: 2}\n").upstream().breakerCooldown());
    }

    @Test
    void maxRetryAfterFollowsTheCooldownUnlessSet() throws Exception {
        assertEquals(Duration.ofMillis(600_000), openai("").upstream().breakerMaxRetryAfter());
        assertEquals(
                Duration.ofMillis(2),
                openai("    breaker: {cooldown_ms: 2}\n").upstream().breakerMaxRetryAfter());
        assertEquals(
                Duration.ofMillis(5),
                openai("    breaker: {cooldown_ms: 2, max_retry_after_ms: 5}\n")
                        .upstream()
                        .breakerMaxRetryAfter());
        assertEquals(
                "upstream.breaker.max_retry_after_ms: must be at least 1, got 0",
                error("upstream: {breaker: {max_retry_after_ms: 0}}"));
    }

    @Test
    void breakerErrors() {
        assertEquals(
                "upstream.breaker.failures: must be at least 1, got 0", error("upstream: {breaker: {failures: 0}}"));
        assertEquals(
                "upstream.breaker.cooldown_ms: must be at least 1, got 0",
                error("upstream: {breaker: {cooldown_ms: 0}}"));
        assertEquals(
                "upstream.breaker.failure: unknown key (known: failures, cooldown_ms, max_retry_after_ms)",
                error("upstream: {breaker: {failure: 1}}"));
        assertEquals("upstream.breaker: expected a mapping, got a number", error("upstream: {breaker: 3}"));
        assertEquals(
                "providers.openai.breaker.failures: expected an integer, got \"many\"",
                error(OPENAI + "    breaker: {failures: many}\n"));
    }

    // ---- providers.x.api_keys / key_strategy

    @Test
    void singleKeyBecomesOneElementList() throws Exception {
        ProviderConfig p = openai("    api_key: sk-one\n");
        assertEquals("sk-one", p.apiKey());
        assertEquals(List.of("sk-one"), p.apiKeys());
        assertEquals(KeyStrategy.ROUND_ROBIN, p.keyStrategy());
        assertEquals(List.of(), openai("").apiKeys());
        assertEquals(List.of(), openai("    api_key: \"\"\n").apiKeys());
    }

    @Test
    void severalKeysInOrderEmptyOnesIgnored() throws Exception {
        ProviderConfig p = openai(
                "    api_keys: [sk-k1, \"${K2}\", \"${K3:-}\", \"\"]\n    key_strategy: least_used\n",
                Map.of("K2", "sk-k2"));
        assertEquals(List.of("sk-k1", "sk-k2"), p.apiKeys());
        assertEquals("sk-k1", p.apiKey());
        assertEquals(KeyStrategy.LEAST_USED, p.keyStrategy());
        assertFalse(p.toString().contains("sk-k1"), p.toString());
        assertFalse(p.toString().contains("sk-k2"), p.toString());
        assertTrue(p.toString().contains("apiKeys=2 redacted"), p.toString());
        // an empty api_key and a list is not "both"
        assertEquals(
                List.of("sk-a-long-enough-key"),
                openai("    api_key: \"${NONE:-}\"\n    api_keys: [sk-a-long-enough-key]\n")
                        .apiKeys());
        assertEquals(
                List.of("sk-a-long-enough-key"),
                openai("    api_key: sk-a-long-enough-key\n    api_keys: [\"\"]\n")
                        .apiKeys());
    }

    @Test
    void keyStrategies() throws Exception {
        assertEquals(
                KeyStrategy.ROUND_ROBIN,
                openai("    key_strategy: round_robin\n").keyStrategy());
        assertEquals(
                KeyStrategy.PRIORITY, openai("    key_strategy: priority\n").keyStrategy());
        assertEquals(
                KeyStrategy.LEAST_USED,
                openai("    key_strategy: \"${S:-least_used}\"\n").keyStrategy());
        assertEquals(
                "providers.openai.key_strategy: expected round_robin, priority or least_used, got \"random\"",
                error(OPENAI + "    key_strategy: random\n"));
    }

    @Test
    void apiKeysErrorsNeverShowTheKey() {
        assertEquals(
                "providers.openai.api_keys: set either api_key or api_keys, not both",
                error(OPENAI + "    api_key: sk-secret-a\n    api_keys: [sk-secret-b]\n"));
        assertEquals(
                "providers.openai.api_keys[1]: value contains a line break",
                error(OPENAI + "    api_keys: [sk-ok, \"sk-secret\\n\"]\n"));
        assertEquals(
                "providers.openai.api_keys[0]: value contains a control character",
                error(OPENAI + "    api_keys: [\"sk-secret\\u0001\"]\n"));
        assertEquals(
                "providers.openai.api_keys[1]: value contains a line break",
                error(OPENAI + "    api_keys: [sk-ok, \"${K}\"]\n", Map.of("K", "sk-secret\r\n")));
        assertEquals(
                "providers.openai.api_keys[0]: expected a string, got a number",
                error(OPENAI + "    api_keys: [1234567]\n"));
        assertEquals(
                "providers.openai.api_keys: expected a list, got a string",
                error(OPENAI + "    api_keys: sk-secret\n"));
        assertEquals(
                "providers.openai.api_keys[2]: the same key as providers.openai.api_keys[0]",
                error(OPENAI + "    api_keys: [sk-secret, \"\", sk-secret]\n"));
    }

    @Test
    void azureTakesItsFirstKeyFromApiKeys() throws Exception {
        ProviderConfig p = parse("providers: {az: {type: azure, base_url: \"https://r.openai.azure.com\", "
                        + "api_keys: [az-1, az-2], key_strategy: priority}}\n")
                .providers()
                .get("az");
        assertEquals("az-1", p.apiKey());
        assertEquals(List.of("az-1", "az-2"), p.apiKeys());
        assertEquals(KeyStrategy.PRIORITY, p.keyStrategy());
    }

    @Test
    void oldConstructorsStillWork() {
        ProviderConfig p = new ProviderConfig(
                "p", "openai", URI.create("https://h"), "sk", Map.of(), UpstreamReader.DEFAULTS, TlsConfig.DEFAULT);
        assertEquals(List.of("sk"), p.apiKeys());
        assertEquals(KeyStrategy.ROUND_ROBIN, p.keyStrategy());
        assertEquals(
                List.of(),
                new ProviderConfig(
                                "p",
                                "openai",
                                URI.create("https://h"),
                                "",
                                Map.of(),
                                UpstreamReader.DEFAULTS,
                                TlsConfig.DEFAULT)
                        .apiKeys());
        ModelRoute r = new ModelRoute("m", List.of(new Deployment("p", "m", 0, 1)));
        assertEquals(RouteStrategy.PRIORITY, r.strategy());
        assertEquals(Retries.DEFAULT, r.retries());
        UpstreamSettings u = new UpstreamSettings(
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                1,
                1,
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                1024);
        assertEquals(3, u.breakerFailures());
    }

    // ---- models.m.strategy / retries

    @Test
    void routeDefaults() throws Exception {
        ModelRoute r = model("    providers: {openai: {}}\n");
        assertEquals(RouteStrategy.PRIORITY, r.strategy());
        assertEquals(
                new Retries(2, Duration.ofMillis(100), Duration.ofMillis(5000), Duration.ofMillis(30_000)),
                r.retries());
        assertFalse(r.isWildcard());
        assertEquals("m", r.prefix());
    }

    @Test
    void routeStrategyAndRetries() throws Exception {
        ModelRoute r = model("    strategy: least_latency\n"
                + "    retries: {count: 0, backoff_ms: 0, max_backoff_ms: 0, retry_after_cap_ms: 0}\n"
                + "    providers: {openai: {}}\n");
        assertEquals(RouteStrategy.LEAST_LATENCY, r.strategy());
        assertEquals(new Retries(0, Duration.ZERO, Duration.ZERO, Duration.ZERO), r.retries());
        r = model("    retries: {count: 10, backoff_ms: 250}\n    providers: {openai: {}}\n");
        assertEquals(
                new Retries(10, Duration.ofMillis(250), Duration.ofMillis(5000), Duration.ofMillis(30_000)),
                r.retries());
        // a backoff above the default cap raises the default cap with it
        r = model("    retries: {backoff_ms: 8000}\n    providers: {openai: {}}\n");
        assertEquals(Duration.ofMillis(8000), r.retries().maxBackoff());
        assertEquals(
                RouteStrategy.PRIORITY,
                model("    strategy: priority\n    providers: {openai: {}}\n").strategy());
    }

    @Test
    void routeTimeoutDefaultsToTheLongestProviderTotalAndMayBeSet() throws Exception {
        assertEquals(
                Duration.ofMillis(600_000),
                model("    providers: {openai: {}}\n").timeout());
        assertEquals(
                Duration.ofMillis(2500),
                model("    timeout_ms: 2500\n    providers: {openai: {}}\n").timeout());
        assertEquals(
                "models.m.timeout_ms: must be at least 1, got 0",
                error(OPENAI + "models:\n  m:\n    timeout_ms: 0\n    providers: {openai: {}}\n"));
    }

    @Test
    void retryOnDefaultsToFailuresThatRanNothingAndAcceptsTheOptIns() throws Exception {
        assertEquals(
                Set.of(FailureClass.CONNECT_ERROR, FailureClass.STATUS),
                model("    providers: {openai: {}}\n").retryOn());
        assertEquals(
                Set.of(FailureClass.CONNECT_ERROR, FailureClass.STATUS, FailureClass.TIMEOUT, FailureClass.CUT),
                model("    retry_on: [connect_error, status, timeout, cut]\n    providers: {openai: {}}\n")
                        .retryOn());
        assertEquals(
                Set.of(),
                model("    retry_on: []\n    providers: {openai: {}}\n").retryOn());
    }

    @Test
    void retryOnErrors() {
        String m = OPENAI + "models:\n  m:\n";
        String p = "    providers: {openai: {}}\n";
        assertEquals(
                "models.m.retry_on[1]: expected one of connect_error, status, timeout, cut, got \"timeouts\"",
                error(m + "    retry_on: [status, timeouts]\n" + p));
        assertEquals(
                "models.m.retry_on[0]: \"too_large\" is never retried (it would fail again); expected one of"
                        + " connect_error, status, timeout, cut",
                error(m + "    retry_on: [too_large]\n" + p));
        assertEquals("models.m.retry_on: expected a list, got a string", error(m + "    retry_on: cut\n" + p));
    }

    @Test
    void routeErrors() {
        String m = OPENAI + "models:\n  m:\n";
        String p = "    providers: {openai: {}}\n";
        assertEquals(
                "models.m.strategy: expected priority or least_latency, got \"fastest\"",
                error(m + "    strategy: fastest\n" + p));
        assertEquals(
                "models.m.retries.count: must be between 0 and 10, got 11",
                error(m + "    retries: {count: 11}\n" + p));
        assertEquals(
                "models.m.retries.count: must be between 0 and 10, got -1",
                error(m + "    retries: {count: -1}\n" + p));
        assertEquals(
                "models.m.retries.backoff_ms: must be at least 0, got -5",
                error(m + "    retries: {backoff_ms: -5}\n" + p));
        assertEquals(
                "models.m.retries.max_backoff_ms: must be at least backoff_ms (100), got 50",
                error(m + "    retries: {max_backoff_ms: 50}\n" + p));
        assertEquals(
                "models.m.retries.retry_after_cap_ms: expected an integer, got \"soon\"",
                error(m + "    retries: {retry_after_cap_ms: soon}\n" + p));
        assertEquals(
                "models.m.retries.tries: unknown key (known: count, backoff_ms, max_backoff_ms, retry_after_cap_ms)",
                error(m + "    retries: {tries: 1}\n" + p));
        assertEquals("models.m.retries: expected a mapping, got a number", error(m + "    retries: 3\n" + p));
    }

    // ---- wildcard routes

    @Test
    void wildcardRouteIsKeptAsIs() throws Exception {
        ProxyConfig c = parse(OPENAI + "models:\n  \"openai/*\":\n    providers:\n      openai: {}\n");
        ModelRoute r = c.models().get("openai/*");
        assertTrue(r.isWildcard());
        assertEquals("openai/", r.prefix());
        assertEquals(List.of(new Deployment("openai", "", 0, 1, 0)), r.deployments());
        ModelRoute nested = parse(OPENAI + "models:\n  \"a/b/*\":\n    strategy: least_latency\n"
                        + "    providers: {openai: {weight: 2, max_tokens: 10}}\n")
                .models()
                .get("a/b/*");
        assertEquals("a/b/", nested.prefix());
        assertEquals(RouteStrategy.LEAST_LATENCY, nested.strategy());
        assertEquals(
                new Deployment("openai", "", 0, 2, 10), nested.deployments().get(0));
    }

    @Test
    void wildcardErrors() {
        String two = OPENAI + "  other: {type: openai, base_url: \"https://o\"}\n";
        assertEquals(
                "models.x/*.providers: a wildcard route must name exactly one provider",
                error(two + "models:\n  \"x/*\":\n    providers: {openai: {}, other: {}}\n"));
        assertEquals(
                "models.x/*.providers.openai.model_id: not allowed in a wildcard route "
                        + "(the rest of the requested name is the model id)",
                error(OPENAI + "models:\n  \"x/*\":\n    providers: {openai: {model_id: gpt-4o}}\n"));
        assertEquals(
                "models.x/*.providers: must name at least one provider",
                error(OPENAI + "models:\n  \"x/*\":\n    providers: {}\n"));
        String star = ": '*' is only allowed as a final '/*' after a prefix (as in \"openrouter/*\")";
        assertEquals("models.gpt-*" + star, error(OPENAI + "models:\n  \"gpt-*\":\n    providers: {openai: {}}\n"));
        assertEquals("models./*" + star, error(OPENAI + "models:\n  \"/*\":\n    providers: {openai: {}}\n"));
        assertEquals("models.*" + star, error(OPENAI + "models:\n  \"*\":\n    providers: {openai: {}}\n"));
        assertEquals("models.a/*/b" + star, error(OPENAI + "models:\n  \"a/*/b\":\n    providers: {openai: {}}\n"));
        assertEquals("models.a/**" + star, error(OPENAI + "models:\n  \"a/**\":\n    providers: {openai: {}}\n"));
    }

    @Test
    void theDocumentedExampleParses() throws Exception {
        ProxyConfig c = parse("""
                auth:
                  api_keys: [sk-client-long-enough-key]
                  admin_keys: ["sk-admin-long-enough-key", "sha256:%s"]
                upstream:
                  breaker: {failures: 3, cooldown_ms: 600000}
                providers:
                  openai:
                    type: openai
                    base_url: https://api.openai.com/v1
                    api_keys: ["k1", "${K2}"]
                    key_strategy: round_robin
                  openrouter:
                    type: openai
                    base_url: https://openrouter.ai/api/v1
                    api_key: "or-key"
                models:
                  gpt-4o-mini:
                    strategy: priority
                    retries: {count: 2, backoff_ms: 100, max_backoff_ms: 5000, retry_after_cap_ms: 30000}
                    providers:
                      openai: {priority: 0, weight: 1, model_id: gpt-4o-mini}
                  "openrouter/*":
                    providers:
                      openrouter: {}
                """.formatted("b".repeat(64)), Map.of("K2", "k2"));
        assertEquals(2, c.auth().adminKeyHashes().size());
        assertEquals(List.of("k1", "k2"), c.providers().get("openai").apiKeys());
        assertEquals(List.of("or-key"), c.providers().get("openrouter").apiKeys());
        assertEquals(
                List.of("gpt-4o-mini", "openrouter/*"), List.copyOf(c.models().keySet()));
        assertEquals(Retries.DEFAULT, c.models().get("gpt-4o-mini").retries());
        assertTrue(c.models().get("openrouter/*").isWildcard());
    }
}
