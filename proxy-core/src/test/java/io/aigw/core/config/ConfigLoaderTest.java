package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.config.ProxyConfig.ModelRoute;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Set<String> TYPES = Set.of("openai");
    private static final String SRC = "test.yaml";
    private static final String OPENAI = """
            providers:
              openai:
                type: openai
                base_url: https://api.openai.com/v1
            """;

    @TempDir
    Path dir;

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

    private static ProviderConfig provider(String yaml, Map<String, String> env) throws ConfigException {
        return parse(yaml, env).providers().values().iterator().next();
    }

    // ---- defaults and the full schema

    @Test
    void defaultsApplyToAnAlmostEmptyFile() throws Exception {
        ProxyConfig config = parse("server: {}\n");
        assertEquals(
                new ServerConfig(
                        "0.0.0.0",
                        8080,
                        32L * 1024 * 1024,
                        8192,
                        16384,
                        Duration.ofMillis(30_000),
                        Duration.ofMillis(120_000),
                        0),
                config.server());
        assertEquals(List.of(), config.auth().apiKeyHashes());
        assertEquals(Map.of(), config.providers());
        assertEquals(Map.of(), config.models());
        assertEquals(Path.of("./data"), config.dataDir());
    }

    @Test
    void nullSectionsAndKeysTakeDefaults() throws Exception {
        ProxyConfig config = parse("server:\n  port:\nupstream:\nauth:\n  api_keys:\nproviders:\nmodels:\n");
        assertEquals(8080, config.server().port());
        assertEquals(List.of(), config.auth().apiKeyHashes());
        assertTrue(config.providers().isEmpty());
    }

    @Test
    void providerDefaults() throws Exception {
        ProviderConfig p = provider(OPENAI, Map.of());
        assertEquals(
                new ProviderConfig(
                        "openai",
                        "openai",
                        URI.create("https://api.openai.com/v1"),
                        "",
                        Map.of(),
                        new UpstreamSettings(
                                Duration.ofMillis(5000),
                                Duration.ofMillis(120_000),
                                Duration.ofMillis(120_000),
                                Duration.ofMillis(600_000),
                                512,
                                4096,
                                Duration.ofMillis(5000),
                                Duration.ofMillis(60_000),
                                64L * 1024 * 1024),
                        TlsConfig.DEFAULT),
                p);
        assertEquals(443, p.port());
    }

    @Test
    void fullExampleParsesToExactValues() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        String hash = KeyHash.ofKey("sk-hashed-long-enough-key").hex();
        String yaml = """
                server:
                  host: 127.0.0.1
                  port: 9000
                  max_body_bytes: 1048576
                  max_initial_line_bytes: 4096
                  max_header_bytes: 8192
                  request_read_timeout_ms: 1000
                  idle_timeout_ms: 2000
                  io_threads: 3
                upstream:
                  connect_timeout_ms: 11
                  first_byte_timeout_ms: 12
                  idle_timeout_ms: 13
                  total_timeout_ms: 14
                  max_connections: 15
                  max_pending_acquires: 16
                  acquire_timeout_ms: 17
                  pool_idle_timeout_ms: 18
                  max_response_bytes: 2048
                auth:
                  api_keys: ["sk-plain-long-enough-key", "sha256:%s"]
                data_dir: /var/lib/aigw
                providers:
                  openai:
                    type: openai
                    base_url: "https://api.openai.com/v1/"
                    api_key: sk-upstream
                    headers: {HTTP-Referer: "https://x", X-Title: "y"}
                    tls: {verify: false, ca_file: ca.pem}
                  local:
                    type: openai
                    base_url: http://localhost:11434
                    max_connections: 2
                models:
                  gpt-4o-mini:
                    providers:
                      local: {priority: 1, model_id: llama3:8b, weight: 3}
                      openai: {priority: 0, model_id: gpt-4o-mini-2024-07-18, weight: 0}
                """.formatted(hash);
        ProxyConfig config = new ConfigLoader(TYPES, Map.of()).parse(yaml, SRC, dir);

        assertEquals(
                new ServerConfig(
                        "127.0.0.1", 9000, 1_048_576, 4096, 8192, Duration.ofMillis(1000), Duration.ofMillis(2000), 3),
                config.server());
        UpstreamSettings upstream = new UpstreamSettings(
                Duration.ofMillis(11),
                Duration.ofMillis(12),
                Duration.ofMillis(13),
                Duration.ofMillis(14),
                15,
                16,
                Duration.ofMillis(17),
                Duration.ofMillis(18),
                2048);
        assertEquals(
                List.of(KeyHash.ofKey("sk-plain-long-enough-key"), KeyHash.ofKey("sk-hashed-long-enough-key")),
                config.auth().apiKeyHashes());
        assertEquals(Path.of("/var/lib/aigw"), config.dataDir());
        assertEquals(List.of("openai", "local"), List.copyOf(config.providers().keySet()));
        assertEquals(
                new ProviderConfig(
                        "openai",
                        "openai",
                        URI.create("https://api.openai.com/v1"),
                        "sk-upstream",
                        Map.of("HTTP-Referer", "https://x", "X-Title", "y"),
                        upstream,
                        new TlsConfig(false, ca)),
                config.providers().get("openai"));
        assertEquals(
                List.of("HTTP-Referer", "X-Title"),
                List.copyOf(config.providers().get("openai").headers().keySet()));
        assertEquals(
                new ProviderConfig(
                        "local",
                        "openai",
                        URI.create("http://localhost:11434"),
                        "",
                        Map.of(),
                        new UpstreamSettings(
                                Duration.ofMillis(11),
                                Duration.ofMillis(12),
                                Duration.ofMillis(13),
                                Duration.ofMillis(14),
                                2,
                                16,
                                Duration.ofMillis(17),
                                Duration.ofMillis(18),
                                2048),
                        TlsConfig.DEFAULT),
                config.providers().get("local"));
        assertEquals(11434, config.providers().get("local").port());
        assertEquals(
                Map.of(
                        "gpt-4o-mini",
                        new ModelRoute(
                                "gpt-4o-mini",
                                List.of(
                                        new Deployment("openai", "gpt-4o-mini-2024-07-18", 0, 0),
                                        new Deployment("local", "llama3:8b", 1, 3)),
                                ProxyConfig.RouteStrategy.PRIORITY,
                                ProxyConfig.Retries.DEFAULT,
                                Duration.ofMillis(14))),
                config.models(),
                "the request deadline defaults to the longest total timeout of the route's providers");
    }

    @Test
    void perProviderUpstreamOverridesOnlyWhatItNames() throws Exception {
        ProxyConfig config = parse("""
                upstream: {max_connections: 100, connect_timeout_ms: 2000}
                providers:
                  a: {type: openai, base_url: "https://a", connect_timeout_ms: 1000, max_response_bytes: 4096}
                  b: {type: openai, base_url: "https://b"}
                """);
        UpstreamSettings a = config.providers().get("a").upstream();
        UpstreamSettings b = config.providers().get("b").upstream();
        assertEquals(Duration.ofMillis(1000), a.connectTimeout());
        assertEquals(4096, a.maxResponseBytes());
        assertEquals(100, a.maxConnections());
        assertEquals(Duration.ofMillis(2000), b.connectTimeout());
        assertEquals(100, b.maxConnections());
        assertEquals(64L * 1024 * 1024, b.maxResponseBytes());
    }

    @Test
    void bufferedResponseBytesHaveAPerEventCapAndAProcessWideBudget() throws Exception {
        ProxyConfig defaults = parse(OPENAI);
        assertEquals(256L * 1024 * 1024, defaults.maxBufferedBytes());
        assertEquals(1024 * 1024, defaults.providers().get("openai").upstream().maxEventBytes());

        ProxyConfig config = parse("""
                upstream: {max_buffered_bytes: 4194304, max_event_bytes: 65536}
                providers:
                  a: {type: openai, base_url: "https://a", max_event_bytes: 2048}
                  b: {type: openai, base_url: "https://b"}
                """);
        assertEquals(4L * 1024 * 1024, config.maxBufferedBytes());
        assertEquals(2048, config.providers().get("a").upstream().maxEventBytes());
        assertEquals(65536, config.providers().get("b").upstream().maxEventBytes());

        assertTrue(error(OPENAI + "    max_buffered_bytes: 4194304\n")
                .startsWith("providers.openai.max_buffered_bytes: unknown key"));
        assertTrue(error("upstream: {max_buffered_bytes: 1000}").startsWith("upstream.max_buffered_bytes: "));
    }

    @Test
    void mapsKeepFileOrderAndAreUnmodifiable() throws Exception {
        ProxyConfig config = parse("""
                providers:
                  zeta: {type: openai, base_url: "https://z"}
                  alpha: {type: openai, base_url: "https://a", headers: {B: "1", A: "2"}}
                models:
                  z-model: {providers: {zeta: {}}}
                  a/model:v1.5: {providers: {alpha: {}}}
                  m: {providers: {alpha: {}}}
                """);
        assertEquals(List.of("zeta", "alpha"), List.copyOf(config.providers().keySet()));
        assertEquals(
                List.of("z-model", "a/model:v1.5", "m"),
                List.copyOf(config.models().keySet()));
        assertEquals(
                List.of("B", "A"),
                List.copyOf(config.providers().get("alpha").headers().keySet()));
        assertEquals(
                "a/model:v1.5",
                config.models().get("a/model:v1.5").deployments().get(0).modelId());
        assertThrows(
                UnsupportedOperationException.class, () -> config.providers().remove("zeta"));
        assertThrows(UnsupportedOperationException.class, () -> config.models().remove("m"));
        assertThrows(
                UnsupportedOperationException.class,
                () -> config.providers().get("alpha").headers().clear());
        assertThrows(
                UnsupportedOperationException.class,
                () -> config.models().get("m").deployments().clear());
        assertThrows(
                UnsupportedOperationException.class,
                () -> config.auth().apiKeyHashes().clear());
    }

    @Test
    void deploymentsSortByPriorityStablyInFileOrder() throws Exception {
        ProxyConfig config = parse("""
                providers:
                  a: {type: openai, base_url: "https://a"}
                  b: {type: openai, base_url: "https://b"}
                  c: {type: openai, base_url: "https://c"}
                  d: {type: openai, base_url: "https://d"}
                models:
                  m:
                    providers:
                      a: {priority: 2}
                      b: {priority: 1}
                      c: {priority: 2}
                      d: {}
                """);
        assertEquals(
                List.of("d", "b", "a", "c"),
                config.models().get("m").deployments().stream()
                        .map(Deployment::provider)
                        .toList());
    }

    @Test
    void wellKnownProviderTypesDefaultTheirBaseUrl() throws Exception {
        ConfigLoader loader = new ConfigLoader(Set.of("openai", "anthropic", "ollama"), Map.of());
        assertEquals(
                URI.create("http://127.0.0.1:11434"),
                loader.parse("providers: {p: {type: ollama}}", SRC)
                        .providers()
                        .get("p")
                        .baseUrl());
        assertEquals(
                URI.create("https://api.anthropic.com"),
                loader.parse("providers: {p: {type: anthropic}}", SRC)
                        .providers()
                        .get("p")
                        .baseUrl());
        assertEquals(
                URI.create("http://gpu-box:11434"),
                loader.parse("providers: {p: {type: ollama, base_url: \"http://gpu-box:11434/\"}}", SRC)
                        .providers()
                        .get("p")
                        .baseUrl());
    }

    @Test
    void baseUrlTrailingSlashesAreStripped() throws Exception {
        assertEquals(
                URI.create("https://h/v1"),
                provider("providers: {p: {type: openai, base_url: \"https://h/v1//\"}}", Map.of())
                        .baseUrl());
        assertEquals(
                URI.create("http://localhost:8000"),
                provider("providers: {p: {type: openai, base_url: \"http://localhost:8000/\"}}", Map.of())
                        .baseUrl());
    }

    @Test
    void yaml11BooleansAreAccepted() throws Exception {
        String yaml = "providers: {p: {type: openai, base_url: \"https://h\", tls: {verify: %s}}}";
        assertFalse(provider(yaml.formatted("no"), Map.of()).tls().verify());
        assertFalse(provider(yaml.formatted("off"), Map.of()).tls().verify());
        assertTrue(provider(yaml.formatted("yes"), Map.of()).tls().verify());
        assertEquals("providers.p.tls.verify: expected true or false, got \"maybe\"", error(yaml.formatted("maybe")));
    }

    // ---- environment substitution

    @Test
    void substitutionForms() throws Exception {
        String yaml = """
                providers:
                  p:
                    type: openai
                    base_url: "${URL:-https://default.example/v1}"
                    api_key: "${KEY}"
                    headers:
                      Set: "${SET:-fallback}"
                      Empty-Default: "${EMPTY:-fallback}"
                      Empty-Plain: "x${EMPTY}y"
                      Two: "${A}-${B:-b}-${A}"
                      Escaped: "a$${NOT_SET}b$$c"
                      Empty-Fallback: "${NOT_SET:-}"
                """;
        ProviderConfig p = provider(yaml, Map.of("KEY", "sk-1", "SET", "s", "EMPTY", "", "A", "a"));
        assertEquals(URI.create("https://default.example/v1"), p.baseUrl());
        assertEquals("sk-1", p.apiKey());
        assertEquals("s", p.headers().get("Set"));
        assertEquals("fallback", p.headers().get("Empty-Default"));
        assertEquals("xy", p.headers().get("Empty-Plain"));
        assertEquals("a-b-a", p.headers().get("Two"));
        assertEquals("a${NOT_SET}b$$c", p.headers().get("Escaped"));
        assertEquals("", p.headers().get("Empty-Fallback"));

        assertEquals(
                URI.create("https://env.example"),
                provider(yaml, Map.of("KEY", "k", "A", "a", "EMPTY", "", "URL", "https://env.example/"))
                        .baseUrl());
    }

    @Test
    void unsetVariableNamesKeyAndVariable() {
        assertEquals(
                "providers.openai.api_key: environment variable OPENAI_API_KEY is not set",
                error(OPENAI + "    api_key: \"${OPENAI_API_KEY}\"\n"));
        assertEquals(
                "auth.api_keys[1]: environment variable K2 is not set",
                error("auth: {api_keys: [\"${K1:-}\", \"${K2}\"]}"));
    }

    @Test
    void malformedReferencesDoNotEchoTheValue() {
        String message = error(OPENAI + "    api_key: \"sk-secret${oops\"\n");
        assertEquals("providers.openai.api_key: unterminated ${ (write $${ for a literal ${)", message);
        message = error(OPENAI + "    api_key: \"sk-secret${not a name}\"\n");
        assertEquals(
                "providers.openai.api_key: malformed ${...} reference, expected ${NAME} or ${NAME:-default}"
                        + " (write $${ for a literal ${)",
                message);
    }

    @Test
    void substitutedValuesCannotChangeTheYamlStructure() throws Exception {
        String hostile = "x\"\n  evil: [1, 2]\n# ${NOPE}";
        ProxyConfig config =
                parse(OPENAI + "models:\n  m: {providers: {openai: {model_id: \"${KEY}\"}}}\n", Map.of("KEY", hostile));
        assertEquals(hostile, config.models().get("m").deployments().get(0).modelId());
        assertEquals(Set.of("m"), config.models().keySet());
    }

    @Test
    void keysAreNotSubstituted() throws Exception {
        ProxyConfig config = parse(OPENAI + "models:\n  \"${M}\": {providers: {openai: {}}}\n", Map.of("M", "x"));
        assertEquals(Set.of("${M}"), config.models().keySet());
    }

    @Test
    void numbersAndBooleansMayComeFromSubstitution() throws Exception {
        String yaml = """
                server: {port: "${PORT:-8081}", max_body_bytes: "${BODY:-4096}"}
                providers:
                  p: {type: openai, base_url: "https://h", max_connections: "${CONNS:-3}", tls: {verify: "${V:-false}"}}
                """;
        ProxyConfig config = parse(yaml);
        assertEquals(8081, config.server().port());
        assertEquals(4096, config.server().maxBodyBytes());
        assertEquals(3, config.providers().get("p").upstream().maxConnections());
        assertFalse(config.providers().get("p").tls().verify());

        ProxyConfig fromEnv = parse(yaml, Map.of("PORT", " 9090 ", "BODY", "2048", "CONNS", "9", "V", "true"));
        assertEquals(9090, fromEnv.server().port());
        assertEquals(2048, fromEnv.server().maxBodyBytes());
        assertEquals(9, fromEnv.providers().get("p").upstream().maxConnections());
        assertTrue(fromEnv.providers().get("p").tls().verify());

        // A value from the environment is named by its reference, never echoed: it may be a secret.
        assertEquals(
                "server.port: expected an integer, got \"${PORT:-8081}\" (from the environment)",
                error(yaml, Map.of("PORT", "abc")));
        assertEquals(
                "server.max_body_bytes: expected an integer, got \"${BODY:-4096}\" (from the environment)",
                error(yaml, Map.of("BODY", "1e6")));
        assertEquals(
                "providers.p.tls.verify: expected true or false, got \"${V:-false}\" (from the environment)",
                error(yaml, Map.of("V", "2")));
    }

    // ---- PROXY_PORT and PROXY_API_KEYS

    @Test
    void proxyPortOverridesTheFile() throws Exception {
        assertEquals(
                9999,
                parse("server: {port: 8000}", Map.of("PROXY_PORT", "9999"))
                        .server()
                        .port());
        assertEquals(
                0,
                parse("server: {port: 8000}", Map.of("PROXY_PORT", "0"))
                        .server()
                        .port());
        assertEquals(
                8000,
                parse("server: {port: 8000}", Map.of("PROXY_PORT", "")).server().port());
        assertEquals(
                8080, parse("server: {}", Map.of("PROXY_PORT", " ")).server().port());
        assertEquals(
                "PROXY_PORT: expected an integer, got \"http\"", error("server: {}", Map.of("PROXY_PORT", "http")));
        assertEquals(
                "PROXY_PORT: must be between 0 and 65535, got 70000",
                error("server: {}", Map.of("PROXY_PORT", "70000")));
        // The file's own port is still validated.
        assertEquals(
                "server.port: must be between 0 and 65535, got -1",
                error("server: {port: -1}", Map.of("PROXY_PORT", "80")));
    }

    @Test
    void proxyApiKeysMergeWithTheFileWithoutDuplicates() throws Exception {
        String hashC = KeyHash.ofKey("sk-c-long-enough-key").hex();
        ProxyConfig config = parse(
                "auth: {api_keys: [sk-a-long-enough-key]}",
                Map.of(
                        "PROXY_API_KEYS",
                        " sk-b-long-enough-key , ,sha256:" + hashC + ",sk-a-long-enough-key,sk-c-long-enough-key,"));
        assertEquals(
                List.of(
                        KeyHash.ofKey("sk-a-long-enough-key"),
                        KeyHash.ofKey("sk-b-long-enough-key"),
                        KeyHash.ofKey("sk-c-long-enough-key")),
                config.auth().apiKeyHashes());

        assertEquals(
                List.of(KeyHash.ofKey("only-env-long-enough-key")),
                parse("server: {}", Map.of("PROXY_API_KEYS", "only-env-long-enough-key"))
                        .auth()
                        .apiKeyHashes());
        assertEquals(
                List.of(),
                parse("server: {}", Map.of("PROXY_API_KEYS", " , ")).auth().apiKeyHashes());
        assertEquals(
                "PROXY_API_KEYS[1]: not a sha256 hash",
                error("server: {}", Map.of("PROXY_API_KEYS", "sk-a-long-enough-key,sha256:abc")));
    }

    @Test
    void plaintextKeysAreHashedAndNeverKept() throws Exception {
        String plaintext = "sk-very-secret-client-key";
        String upper = KeyHash.ofKey("other").hex().toUpperCase(Locale.ROOT);
        ProxyConfig config = parse("""
                auth:
                  api_keys: ["%s", "sha256:%s", "", "${KEY:-}", "%s"]
                providers:
                  p: {type: openai, base_url: "https://h", api_key: sk-upstream-secret, headers: {X-Key: hdr-secret}}
                """.formatted(plaintext, upper, plaintext));
        assertEquals(
                List.of(KeyHash.ofKey(plaintext), KeyHash.ofKey("other")),
                config.auth().apiKeyHashes());
        String shown = config.toString();
        assertFalse(shown.contains(plaintext), shown);
        assertFalse(shown.contains("sk-upstream-secret"), shown);
        assertFalse(shown.contains("hdr-secret"), shown);
        assertTrue(shown.contains(KeyHash.ofKey(plaintext).hex()), shown);
    }

    @Test
    void badAuthEntries() {
        String valid = "a".repeat(64);
        String shortKey = error("auth: {api_keys: [sk-a-long-enough-key, sk-15-chars-key]}");
        assertEquals("auth.api_keys[1]: too short: a key must have at least 16 characters", shortKey);
        assertEquals(
                "PROXY_ADMIN_KEYS[0]: too short: a key must have at least 16 characters",
                error("server: {}", Map.of("PROXY_ADMIN_KEYS", "x")));
        assertEquals(
                "auth.api_keys[1]: not a sha256 hash",
                error("auth: {api_keys: [sk-a-long-enough-key, \"sha256:" + "a".repeat(63) + "\"]}"));
        assertEquals(
                "auth.api_keys[0]: not a sha256 hash", error("auth: {api_keys: [\"sha256:" + "g".repeat(64) + "\"]}"));
        assertEquals("auth.api_keys[0]: not a sha256 hash", error("auth: {api_keys: [\"sha256:" + valid + "0\"]}"));
        assertEquals("auth.api_keys[0]: expected a string, got a number", error("auth: {api_keys: [123456789]}"));
        assertEquals("auth.api_keys: expected a list, got a string", error("auth: {api_keys: sk-single-secret}"));
        assertEquals("auth.keys: unknown key (known: api_keys, admin_keys)", error("auth: {keys: []}"));
    }

    // ---- error messages

    @Test
    void unknownProviderType() {
        assertEquals(
                "providers.x.type: unknown provider type 'bogus' (known: openai)",
                error("providers: {x: {type: bogus, base_url: \"https://h\"}}"));
        String message = assertThrows(
                        ConfigException.class,
                        () -> new ConfigLoader(Set.of("openai", "anthropic", "azure"), Map.of())
                                .parse("providers: {x: {type: bogus, base_url: \"https://h\"}}", SRC))
                .getMessage();
        assertEquals("providers.x.type: unknown provider type 'bogus' (known: anthropic, azure, openai)", message);
        assertEquals("providers.x.type: missing", error("providers: {x: {base_url: \"https://h\"}}"));
        assertEquals("providers.x.type: missing", error("providers: {x: }"));
    }

    @Test
    void modelNamingAnUnknownProvider() {
        assertEquals(
                "models.gpt-4o-mini.providers.foo: unknown provider 'foo'",
                error(OPENAI + "models:\n  gpt-4o-mini:\n    providers: {openai: {}, foo: {}}\n"));
    }

    @Test
    void modelProvidersMissingOrEmpty() {
        assertEquals(
                "models.gpt-4o.providers: must name at least one provider",
                error(OPENAI + "models:\n  gpt-4o:\n    providers: {}\n"));
        assertEquals("models.gpt-4o.providers: missing", error(OPENAI + "models:\n  gpt-4o: {}\n"));
        assertEquals("models.gpt-4o.providers: missing", error(OPENAI + "models:\n  gpt-4o:\n"));
        assertEquals(
                "models.gpt-4o.providers: expected a mapping, got a list",
                error(OPENAI + "models:\n  gpt-4o:\n    providers: [openai]\n"));
    }

    @Test
    void deploymentErrors() {
        String prefix = OPENAI + "models:\n  m:\n    providers:\n      openai: ";
        assertEquals("models.m.providers.openai.weight: must be at least 0, got -1", error(prefix + "{weight: -1}"));
        assertEquals(
                "models.m.providers.openai.priority: expected an integer, got \"high\"",
                error(prefix + "{priority: high}"));
        assertEquals("models.m.providers.openai.model_id: must not be empty", error(prefix + "{model_id: \"\"}"));
        assertEquals(
                "models.m.providers.openai.modelid: unknown key (known: priority, model_id, weight, max_tokens, price)",
                error(prefix + "{modelid: x}"));
    }

    @Test
    void baseUrlErrors() {
        String p = "providers: {x: {type: openai, base_url: %s}}";
        assertEquals("providers.x.base_url: missing", error("providers: {x: {type: openai}}"));
        assertEquals(
                "providers.x.base_url: not an absolute http(s) URL: \"ftp://a\"", error(p.formatted("\"ftp://a\"")));
        assertEquals(
                "providers.x.base_url: not an absolute http(s) URL: \"api.openai.com/v1\"",
                error(p.formatted("api.openai.com/v1")));
        assertEquals(
                "providers.x.base_url: not an absolute http(s) URL: \"https://\"", error(p.formatted("\"https://\"")));
        assertEquals("providers.x.base_url: not an absolute http(s) URL: \"\"", error(p.formatted("\"\"")));
        assertEquals(
                "providers.x.base_url: not an absolute http(s) URL: \"https://a b\"",
                error(p.formatted("\"https://a b\"")));
        assertEquals(
                "providers.x.base_url: must not have a query or fragment",
                error(p.formatted("\"https://h/v1?key=sk-q\"")));
        assertEquals(
                "providers.x.base_url: must not have a query or fragment", error(p.formatted("\"https://h/v1#frag\"")));
        assertEquals(
                "providers.x.base_url: must not contain user info (use api_key or headers for credentials)",
                error(p.formatted("\"https://user:pw-secret@h/v1\"")));
        assertEquals("providers.x.base_url: not an absolute http(s) URL", error(p.formatted("\"ftp://user:pw@h\"")));
        assertEquals(
                "providers.x.base_url: invalid port in \"https://h:70000/v1\"",
                error(p.formatted("\"https://h:70000/v1\"")));
        assertEquals("providers.x.base_url: expected a string, got a list", error(p.formatted("[a]")));
    }

    @Test
    void reusePortIsAutoTrueOrFalse() throws Exception {
        assertEquals(ServerConfig.ReusePort.AUTO, parse("server: {}").server().reusePort());
        assertEquals(
                ServerConfig.ReusePort.AUTO,
                parse("server: {reuse_port: auto}").server().reusePort());
        assertEquals(
                ServerConfig.ReusePort.ON,
                parse("server: {reuse_port: true}").server().reusePort());
        assertEquals(
                ServerConfig.ReusePort.OFF,
                parse("server: {reuse_port: false}").server().reusePort());
        assertEquals(
                ServerConfig.ReusePort.OFF,
                parse("server: {reuse_port: off}").server().reusePort());
        assertEquals(
                ServerConfig.ReusePort.ON,
                parse("server: {reuse_port: \"${R}\"}", Map.of("R", "true"))
                        .server()
                        .reusePort());
        assertEquals("server.reuse_port: must be auto, true or false", error("server: {reuse_port: sometimes}"));
        assertTrue(
                error("server: {reuse_port: 2}").startsWith("server.reuse_port: expected true or false"),
                error("server: {reuse_port: 2}"));
    }

    @Test
    void unknownKeysEverywhere() {
        assertEquals(
                "server.prot: unknown key (known: host, port, max_body_bytes, max_initial_line_bytes, "
                        + "max_header_bytes, request_read_timeout_ms, idle_timeout_ms, io_threads, shutdown_grace_ms, max_connections, max_connections_per_ip, reuse_port)",
                error("server: {prot: 1}"));
        assertEquals(
                "serverr: unknown key (known: server, upstream, auth, data_dir, providers, models, request_log, metrics, tracing, logging, keys, limits, config_watch)",
                error("serverr: {}"));
        assertEquals(
                "upstream.max_conns: unknown key (known: connect_timeout_ms, first_byte_timeout_ms, idle_timeout_ms, "
                        + "total_timeout_ms, max_connections, max_pending_acquires, acquire_timeout_ms, pool_idle_timeout_ms, "
                        + "max_response_bytes, max_event_bytes, breaker, max_buffered_bytes)",
                error("upstream: {max_conns: 1}"));
        assertTrue(
                error(OPENAI + "    apikey: x\n")
                        .startsWith(
                                "providers.openai.apikey: unknown key (known: type, base_url, api_key, api_keys, key_strategy, headers, tls, connect_timeout_ms,"));
        assertEquals(
                "providers.openai.tls.verfy: unknown key (known: verify, ca_file)",
                error(OPENAI + "    tls: {verfy: no}\n"));
        assertEquals(
                "models.m.provider: unknown key (known: strategy, retries, retry_on, timeout_ms, providers)",
                error(OPENAI + "models: {m: {provider: {openai: {}}}}"));
    }

    @Test
    void databaseKeysAreOnUnlessKeysStoreIsOff() throws ConfigException {
        assertTrue(parse(OPENAI).auth().databaseKeys());
        assertTrue(parse(OPENAI + "keys: {store: database}\n").auth().databaseKeys());
        assertFalse(parse(OPENAI + "keys: {store: off}\n").auth().databaseKeys());
        assertEquals(
                "keys.store: expected one of database, off, got \"redis\"", error(OPENAI + "keys: {store: redis}\n"));
        assertEquals("keys.size: unknown key (known: store)", error(OPENAI + "keys: {size: 1}\n"));
    }

    @Test
    void wrongTypes() {
        assertEquals("server.port: expected an integer, got \"abc\"", error("server: {port: abc}"));
        assertEquals("server.port: expected an integer, got 80.5", error("server: {port: 80.5}"));
        assertEquals("server.port: expected an integer, got true", error("server: {port: true}"));
        assertEquals("server.port: expected an integer, got a list", error("server: {port: [1]}"));
        assertEquals("server.host: expected a string, got a mapping", error("server: {host: {a: b}}"));
        assertEquals("server.host: expected a string, got 12", error("server: {host: 12}"));
        assertEquals("server: expected a mapping, got a string", error("server: yes please"));
        assertEquals("models: expected a mapping, got a list", error("models: [a]"));
        assertEquals("providers.openai.headers: expected a mapping, got a list", error(OPENAI + "    headers: [a]\n"));
        assertEquals("data_dir: must not be empty", error("data_dir: \"\""));
    }

    @Test
    void rangeChecks() {
        assertEquals("server.port: must be between 0 and 65535, got 65536", error("server: {port: 65536}"));
        assertEquals(
                "server.port: must be between 0 and 65535, got 99999999999999999999",
                error("server: {port: 99999999999999999999}"));
        assertEquals("server.max_body_bytes: must be at least 1024, got 10", error("server: {max_body_bytes: 10}"));
        assertEquals("server.io_threads: must be at least 0, got -2", error("server: {io_threads: -2}"));
        assertEquals("upstream.max_connections: must be at least 1, got 0", error("upstream: {max_connections: 0}"));
        assertEquals(
                "upstream.connect_timeout_ms: must be at least 1, got 0", error("upstream: {connect_timeout_ms: 0}"));
        assertEquals(
                "upstream.max_response_bytes: must be at least 1024, got 1",
                error("upstream: {max_response_bytes: 1}"));
        assertEquals(
                "upstream.total_timeout_ms: must be at most 2147483647, got 2147483648",
                error("upstream: {total_timeout_ms: 2147483648}"));
        assertEquals(
                "server.max_body_bytes: must be at most 9223372036854775807, got 9223372036854775808",
                error("server: {max_body_bytes: 9223372036854775808}"));
        assertEquals(
                "providers.openai.max_pending_acquires: must be at least 1, got 0",
                error(OPENAI + "    max_pending_acquires: 0\n"));
    }

    @Test
    void aProviderKeyThatCannotBeSentIsRejectedWithoutEchoingIt() {
        String message = error(OPENAI + "    api_key: \"sk-secret-value\\n\"\n");
        assertEquals("providers.openai.api_key: value contains a line break", message);
        assertFalse(message.contains("sk-secret-value"));
    }

    @Test
    void headerErrorsNeverShowTheValue() {
        assertEquals(
                "providers.x.headers.Authorization: value contains a line break",
                error("providers: {x: {type: openai, base_url: \"https://h\", "
                        + "headers: {Authorization: \"Bearer sk-secret\\r\\nX-Evil: 1\"}}}"));
        assertEquals(
                "providers.x.headers.X-A: value contains a control character",
                error("providers: {x: {type: openai, base_url: \"https://h\", headers: {X-A: \"sk-secret\\0\"}}}"));
        assertEquals(
                "providers.x.headers.Bad Name: not a valid HTTP header name",
                error("providers: {x: {type: openai, base_url: \"https://h\", headers: {Bad Name: v}}}"));
        assertEquals(
                "providers.x.headers.Content-Length: set by the proxy itself, cannot be configured",
                error("providers: {x: {type: openai, base_url: \"https://h\", headers: {Content-Length: 5}}}"));
        assertEquals(
                "providers.x.headers.x-title: duplicate header (names are case-insensitive)",
                error("providers: {x: {type: openai, base_url: \"https://h\", headers: {X-Title: a, x-title: b}}}"));
        assertEquals(
                "providers.x.headers.X-Key: expected a string, got a number",
                error("providers: {x: {type: openai, base_url: \"https://h\", headers: {X-Key: 123456}}}"));
        assertEquals(
                "providers.x.api_key: expected a string, got a list",
                error("providers: {x: {type: openai, base_url: \"https://h\", api_key: [sk-secret]}}"));
        assertEquals(
                "providers.x.api_key: expected a string, got a number",
                error("providers: {x: {type: openai, base_url: \"https://h\", api_key: 1234567}}"));
    }

    @Test
    void malformedYamlReportsLineAndColumn() {
        String message = error("""
                server:
                  port: 8080
                  host: a: b
                """);
        assertEquals("test.yaml line 3 column 10: mapping values are not allowed here", message);
        message = error("""
                server:
                  port: 8080
                providers:
                  x: {type: openai
                models: {}
                """);
        assertTrue(message.startsWith("test.yaml line 5 column "), message);
    }

    @Test
    void duplicateKeysAndExtraDocumentsAreErrors() {
        assertEquals("test.yaml line 3 column 9: duplicate key 'port'", error("server:\n  port: 1\n  port: 2\n"));
        assertTrue(error("server: {}\n---\nserver: {}\n").endsWith(": only one YAML document is allowed"));
    }

    @Test
    void configWatchIsOffByDefaultAndABoolean() throws ConfigException {
        assertFalse(parse(OPENAI).configWatch());
        assertTrue(parse(OPENAI + "config_watch: true\n").configWatch());
        assertTrue(
                error(OPENAI + "config_watch: sometimes\n").startsWith("config_watch"),
                error(OPENAI + "config_watch: sometimes\n"));
    }

    @Test
    void emptyOrNonMappingFiles() {
        assertEquals("test.yaml: the configuration is empty", error(""));
        assertEquals("test.yaml: the configuration is empty", error("# nothing but a comment\n\n"));
        assertEquals(
                "test.yaml: the top level must be a mapping of keys "
                        + "(server, upstream, auth, data_dir, providers, models, request_log, metrics, tracing, logging, keys, limits, config_watch)",
                error("- server\n"));
        assertEquals(
                "test.yaml: the top level must be a mapping of keys "
                        + "(server, upstream, auth, data_dir, providers, models, request_log, metrics, tracing, logging, keys, limits, config_watch)",
                error("just a string\n"));
    }

    @Test
    void yamlTagsDoNotConstructObjects() {
        // A tag naming a class is not honoured: the value is the tagged scalar, a string where a number is due.
        assertEquals(
                "server.port: expected an integer, got \"x\"",
                error("server: {port: !!javax.script.ScriptEngineManager x}"));
    }

    @Test
    void caFileMustExist() throws Exception {
        Path missing = dir.resolve("missing.pem");
        String yaml = "providers: {x: {type: openai, base_url: \"https://h\", tls: {ca_file: missing.pem}}}";
        ConfigException e =
                assertThrows(ConfigException.class, () -> new ConfigLoader(TYPES, Map.of()).parse(yaml, SRC, dir));
        assertEquals("providers.x.tls.ca_file: file not found: " + missing, e.getMessage());

        Files.createDirectory(dir.resolve("adir"));
        e = assertThrows(
                ConfigException.class,
                () -> new ConfigLoader(TYPES, Map.of()).parse(yaml.replace("missing.pem", "adir"), SRC, dir));
        assertEquals("providers.x.tls.ca_file: not a readable file: " + dir.resolve("adir"), e.getMessage());

        ProviderConfig p = provider(yaml.replace("missing.pem", "\"${CA:-}\""), Map.of());
        assertEquals(new TlsConfig(true, null), p.tls());
    }

    @Test
    void caFileIsResolvedAgainstTheConfigFilesDirectory() throws Exception {
        Path confDir = Files.createDirectories(dir.resolve("conf"));
        Path ca = Files.writeString(confDir.resolve("ca.pem"), "pem");
        Path file = Files.writeString(
                confDir.resolve("proxy.yaml"),
                "providers: {x: {type: openai, base_url: \"https://h\", tls: {ca_file: ca.pem}}}\n");
        ProxyConfig config = new ConfigLoader(TYPES, Map.of()).load(file);
        assertEquals(ca.toAbsolutePath(), config.providers().get("x").tls().caFile());
        assertTrue(config.providers().get("x").tls().verify());
    }

    @Test
    void unreadableFile() {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(TYPES, Map.of()).load(missing));
        assertEquals(missing + ": cannot read: no such file", e.getMessage());
        e = assertThrows(ConfigException.class, () -> new ConfigLoader(TYPES, Map.of()).load(dir));
        assertTrue(e.getMessage().startsWith(dir + ": cannot read: "), e.getMessage());
    }

    @Test
    void loadReportsTheFileNameInYamlErrors() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "server:\n\n  port: [\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(TYPES, Map.of()).load(file));
        assertTrue(e.getMessage().startsWith(file + " line 4 column "), e.getMessage());
    }

    @Test
    void defaultFileShapeLoadsWithAnEmptyEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("proxy.yaml"), """
                server:
                  host: 0.0.0.0
                  port: 8080
                auth:
                  api_keys: ["${PROXY_API_KEY:-}"]
                data_dir: ./data
                providers:
                  openai:
                    type: openai
                    base_url: "${OPENAI_BASE_URL:-https://api.openai.com/v1}"
                    api_key: "${OPENAI_API_KEY:-}"
                  openrouter:
                    type: openai
                    base_url: "${OPENROUTER_BASE_URL:-https://openrouter.ai/api/v1}"
                    api_key: "${OPENROUTER_API_KEY:-}"
                    headers:
                      HTTP-Referer: "${OPENROUTER_REFERER:-https://github.com/aigw}"
                      X-Title: "${OPENROUTER_TITLE:-aigw}"
                models:
                  gpt-4o-mini: {providers: {openai: {}}}
                  openrouter/anthropic/claude-3.5-sonnet:
                    providers:
                      openrouter: {model_id: anthropic/claude-3.5-sonnet}
                """);
        ProxyConfig config = new ConfigLoader(TYPES, Map.of()).load(file);
        assertEquals(8080, config.server().port());
        assertEquals(List.of(), config.auth().apiKeyHashes());
        assertEquals("", config.providers().get("openai").apiKey());
        assertEquals(
                URI.create("https://openrouter.ai/api/v1"),
                config.providers().get("openrouter").baseUrl());
        assertEquals(
                Map.of("HTTP-Referer", "https://github.com/aigw", "X-Title", "aigw"),
                config.providers().get("openrouter").headers());
        assertEquals(
                List.of(new Deployment("openrouter", "anthropic/claude-3.5-sonnet", 0, 1)),
                config.models().get("openrouter/anthropic/claude-3.5-sonnet").deployments());
        assertNull(config.providers().get("openai").tls().caFile());
    }
}
