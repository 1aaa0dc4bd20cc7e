package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static io.aigw.server.it.ErrorShape.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.core.auth.KeyHash;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The admin API through the real server: admin and client keys each good only on their own side,
 * the providers view, and the overrides acting on live traffic (counted at the mock providers).
 */
class AdminIT {
    private static final String CHAT = FailoverIT.CHAT;
    private static final String OK = FailoverIT.OK;
    private static final String PRIMARY_KEY_1 = "sk-primary-secret-one";
    private static final String PRIMARY_KEY_2 = "sk-primary-secret-two";
    private static final String BACKUP_KEY = "sk-backup-secret";
    private static final List<String> SECRETS =
            List.of(PRIMARY_KEY_1, PRIMARY_KEY_2, BACKUP_KEY, ProxyHarness.KEY, ProxyHarness.ADMIN_KEY);

    /** Every log line of the test, to prove no key reaches one. */
    private final Queue<ILoggingEvent> logged = new ConcurrentLinkedQueue<>();

    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            logged.add(event);
        }
    };

    @BeforeEach
    void captureLogs() {
        capture.start();
        root().addAppender(capture);
    }

    @AfterEach
    void noKeyInAnyLogLine() {
        root().detachAppender(capture);
        for (ILoggingEvent e : logged) {
            String line = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : e.getThrowableProxy().getMessage());
            for (String secret : SECRETS) {
                assertFalse(line.contains(secret), "a key in a log line: " + line);
            }
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** Model m: primary first, backup second; model solo: primary alone. Primary has two keys, tried in order. */
    private static ProxyHarness proxy(String primaryUrl, String backupUrl) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                upstream: {breaker: {failures: 3, cooldown_ms: 600000}}
                providers:
                  primary: {type: openai, base_url: "%s", api_keys: ["%s", "%s"], key_strategy: priority}
                  backup: {type: openai, base_url: "%s", api_key: "%s"}
                models:
                  m:
                    retries: {count: 0}
                    providers:
                      primary: {priority: 0, model_id: p-model}
                      backup: {priority: 1, model_id: b-model}
                  solo:
                    retries: {count: 0}
                    providers:
                      primary: {model_id: p-solo}
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        primaryUrl,
                        PRIMARY_KEY_1,
                        PRIMARY_KEY_2,
                        backupUrl,
                        BACKUP_KEY));
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private static String chat(String model) {
        return CHAT.replace("\"model\":\"m\"", "\"model\":\"" + model + "\"");
    }

    private static JsonNode view(ProxyHarness proxy) throws Exception {
        HttpResponse<String> r = proxy.adminGet("/admin/providers");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", header(r, "content-type"));
        for (String secret : SECRETS) {
            assertFalse(r.body().contains(secret), "a key in the admin view: " + r.body());
        }
        return json(r.body());
    }

    private static JsonNode provider(JsonNode view, String name) {
        for (JsonNode p : view.get("providers")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no provider " + name + " in " + view);
    }

    private static JsonNode deployment(JsonNode provider, String model) {
        for (JsonNode d : provider.get("deployments")) {
            if (d.get("model").asText().equals(model)) {
                return d;
            }
        }
        throw new AssertionError("no deployment of " + model + " in " + provider);
    }

    @Test
    void adminKeysAndClientKeysEachWorkOnlyOnTheirOwnSide() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            primary.setDefault(r -> Reply.json(200, OK));
            assertEquals(200, proxy.adminGet("/admin/providers").statusCode());

            for (String key : new String[] {ProxyHarness.KEY, null, "sk-a-guess"}) {
                HttpResponse<String> r = proxy.call("GET", "/admin/providers", key);
                assertEquals(401, r.statusCode(), r.body());
                JsonNode error = assertError(r.body(), "invalid_request_error", "invalid_api_key", null);
                assertTrue(error.get("message").asText().contains("needs an admin key"), r.body());
            }
            HttpResponse<String> clientDisable =
                    proxy.call("POST", "/admin/providers/primary/disable", ProxyHarness.KEY);
            assertEquals(401, clientDisable.statusCode());
            assertEquals(
                    "closed",
                    deployment(provider(view(proxy), "primary"), "m")
                            .get("breaker")
                            .asText(),
                    "a client key overrides nothing");
            assertEquals(
                    401,
                    proxy.call("GET", "/admin/unknown", ProxyHarness.KEY).statusCode(),
                    "no key, no hint of what exists");
            assertError(proxy.adminGet("/admin/unknown").body(), "invalid_request_error", "unknown_url", null);

            HttpResponse<String> adminChat =
                    proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                            .header("Authorization", "Bearer " + ProxyHarness.ADMIN_KEY)
                            .POST(HttpRequest.BodyPublishers.ofString(CHAT))
                            .build());
            assertEquals(401, adminChat.statusCode());
            assertError(adminChat.body(), "invalid_request_error", "invalid_api_key", null);
            assertEquals(
                    401, proxy.call("GET", "/v1/models", ProxyHarness.ADMIN_KEY).statusCode());
            assertEquals(0, primary.requestCount(), "an admin key sends nothing upstream");
            assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
        }
    }

    @Test
    void withNoAdminKeyConfiguredTheAdminApiIsOff() throws Exception {
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(upstream.baseUrl(), null, "m", "x")) {
            for (String key : new String[] {ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, null}) {
                for (String path : new String[] {"/admin/providers", "/admin/unknown"}) {
                    HttpResponse<String> r = proxy.call("GET", path, key);
                    assertEquals(401, r.statusCode(), path + ": " + r.body());
                    JsonNode error = assertError(r.body(), "invalid_request_error", "invalid_api_key", null);
                    assertTrue(error.get("message").asText().contains("No admin key is configured"), r.body());
                }
            }
            assertEquals(200, proxy.get("/v1/models").statusCode(), "client keys work as before");
        }
    }

    @Test
    void theViewShowsAFailureOnTheBreakerAndKeysByHashOnly() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            primary.enqueue(Reply.json(
                    500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
            backup.setDefault(r -> Reply.json(200, OK));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals("backup", header(r, "x-proxy-provider"));

            JsonNode view = view(proxy);
            assertEquals(2, view.get("providers").size());
            JsonNode p = provider(view, "primary");
            assertEquals("openai", p.get("type").asText());
            JsonNode failed = deployment(p, "m");
            assertEquals("m@primary", failed.get("deployment").asText());
            assertEquals("p-model", failed.get("model_id").asText());
            assertEquals(0, failed.get("priority").asInt());
            assertEquals("closed", failed.get("breaker").asText(), "one failure of three");
            assertEquals(1, failed.get("consecutive_failures").asInt());
            assertEquals(0, failed.get("in_flight").asInt());
            assertEquals(0, deployment(p, "solo").get("consecutive_failures").asInt());

            JsonNode served = deployment(provider(view, "backup"), "m");
            assertEquals(0, served.get("consecutive_failures").asInt());
            assertEquals(1, served.get("priority").asInt());
            assertTrue(served.get("ewma_ttfb_ms").isNumber(), "measured: " + served);
            assertEquals(0, served.get("in_flight").asInt());

            JsonNode keys = p.get("keys");
            assertEquals(2, keys.size());
            assertEquals(
                    KeyHash.ofKey(PRIMARY_KEY_1).toString(),
                    keys.get(0).get("hash").asText());
            assertEquals(
                    KeyHash.ofKey(PRIMARY_KEY_2).toString(),
                    keys.get(1).get("hash").asText());
            assertEquals("active", keys.get(0).get("state").asText());
            assertEquals(0, keys.get(0).get("in_flight").asInt());
            assertEquals(
                    KeyHash.ofKey(BACKUP_KEY).toString(),
                    provider(view, "backup").get("keys").get(0).get("hash").asText());
        }
    }

    @Test
    void disableFailsOverOrAnswers503AndEnableBringsTheProviderBack() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            primary.setDefault(r -> Reply.json(200, OK));
            backup.setDefault(r -> Reply.json(200, OK));

            HttpResponse<String> disabled = proxy.adminPost("/admin/providers/primary/disable");
            assertEquals(200, disabled.statusCode(), disabled.body());
            JsonNode p = json(disabled.body());
            assertEquals("primary", p.get("name").asText());
            for (JsonNode d : p.get("deployments")) {
                assertEquals("disabled", d.get("breaker").asText(), d.toString());
                assertTrue(d.get("cooldown_remaining_ms").isNull(), d.toString());
            }
            String adminHash = KeyHash.ofKey(ProxyHarness.ADMIN_KEY).toString().substring(0, 19);
            assertTrue(
                    logged.stream()
                            .anyMatch(e -> e.getLevel() == Level.INFO
                                    && e.getFormattedMessage().contains("disable provider primary")
                                    && e.getFormattedMessage().contains(adminHash)),
                    "the override is logged with the admin key's hash prefix");
            assertFalse(
                    logged.stream()
                            .anyMatch(e -> e.getFormattedMessage()
                                    .contains(KeyHash.ofKey(ProxyHarness.ADMIN_KEY)
                                            .hex())),
                    "a prefix, not the whole hash");

            HttpResponse<String> failedOver = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, failedOver.statusCode());
            assertEquals("backup", header(failedOver, "x-proxy-provider"));
            assertEquals("1", header(failedOver, "x-proxy-attempts"), "the disabled one is not even tried");

            HttpResponse<String> solo = proxy.post("/v1/chat/completions", chat("solo"));
            assertEquals(503, solo.statusCode(), solo.body());
            JsonNode error = assertError(solo.body(), "api_error", "no_deployment_available", null);
            assertTrue(error.get("message").asText().contains("disabled by an operator"), solo.body());
            assertEquals(0, primary.requestCount(), "nothing reaches a disabled provider");

            HttpResponse<String> enabled = proxy.adminPost("/admin/providers/primary/enable");
            assertEquals(200, enabled.statusCode(), enabled.body());
            for (JsonNode d : json(enabled.body()).get("deployments")) {
                assertEquals("closed", d.get("breaker").asText(), d.toString());
            }
            HttpResponse<String> back = proxy.post("/v1/chat/completions", CHAT);
            assertEquals("primary", header(back, "x-proxy-provider"));
            assertEquals("1", header(back, "x-proxy-attempts"));
            assertEquals(200, proxy.post("/v1/chat/completions", chat("solo")).statusCode());
            assertEquals(2, primary.requestCount());
            assertEquals(1, backup.requestCount());
        }
    }

    @Test
    void resetPutsARejectedKeyBackIntoRotation() throws Exception {
        AtomicBoolean rejectFirstKey = new AtomicBoolean(true);
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            primary.setDefault(
                    r -> rejectFirstKey.get() && ("Bearer " + PRIMARY_KEY_1).equals(r.header("Authorization"))
                            ? Reply.json(
                                    401,
                                    "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}")
                            : Reply.json(200, OK));

            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("primary", header(r, "x-proxy-provider"), "the same deployment with the other key");
            assertEquals(List.of(PRIMARY_KEY_1, PRIMARY_KEY_2), usedKeys(primary, 2));

            JsonNode keys = provider(view(proxy), "primary").get("keys");
            assertEquals("removed", keys.get(0).get("state").asText());
            assertEquals("HTTP 401", keys.get(0).get("removed_reason").asText());
            assertEquals("active", keys.get(1).get("state").asText());
            assertEquals(
                    0,
                    deployment(provider(view(proxy), "primary"), "m")
                            .get("consecutive_failures")
                            .asInt(),
                    "a rejected key is not the deployment's failure");

            proxy.post("/v1/chat/completions", CHAT);
            assertEquals(List.of(PRIMARY_KEY_2), usedKeys(primary, 1), "the removed key stays out");

            rejectFirstKey.set(false); // the operator fixed the key upstream
            HttpResponse<String> reset = proxy.adminPost("/admin/providers/primary/reset");
            assertEquals(200, reset.statusCode(), reset.body());
            for (JsonNode k : json(reset.body()).get("keys")) {
                assertEquals("active", k.get("state").asText(), k.toString());
                assertTrue(k.get("removed_reason").isNull(), k.toString());
            }
            assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(List.of(PRIMARY_KEY_1), usedKeys(primary, 1), "the first key is first again");
        }
    }

    /** The provider keys of the next {@code n} requests {@code upstream} received. */
    private static List<String> usedKeys(TestUpstream upstream, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordedRequest r = upstream.takeRequest(Duration.ofSeconds(5));
            assertTrue(r != null, "request " + i + " not received");
            keys.add(r.header("Authorization").substring("Bearer ".length()));
        }
        return keys;
    }

    @Test
    void unknownProviderOrActionIs404AndAWrongMethodIs405() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = proxy(primary.baseUrl(), backup.baseUrl())) {
            HttpResponse<String> unknown = proxy.adminPost("/admin/providers/nope/disable");
            assertEquals(404, unknown.statusCode());
            JsonNode error = assertError(unknown.body(), "invalid_request_error", "provider_not_found", null);
            assertTrue(error.get("message").asText().contains("'nope'"), unknown.body());

            for (String path : new String[] {
                "/admin/providers/primary/explode", "/admin/providers/primary", "/admin/providers/primary/disable/now"
            }) {
                HttpResponse<String> r = proxy.adminPost(path);
                assertEquals(404, r.statusCode(), path + ": " + r.body());
                assertError(r.body(), "invalid_request_error", "unknown_url", null);
            }

            HttpResponse<String> getAction = proxy.adminGet("/admin/providers/primary/disable");
            assertEquals(405, getAction.statusCode());
            assertError(getAction.body(), "invalid_request_error", "method_not_allowed", null);
            assertEquals("POST", header(getAction, "allow"));
            HttpResponse<String> postList = proxy.adminPost("/admin/providers");
            assertEquals(405, postList.statusCode());
            assertEquals("GET", header(postList, "allow"));
            assertEquals(
                    405,
                    proxy.call("DELETE", "/admin/providers/primary/reset", ProxyHarness.ADMIN_KEY)
                            .statusCode());
            assertEquals(
                    "closed",
                    deployment(provider(view(proxy), "primary"), "m")
                            .get("breaker")
                            .asText(),
                    "nothing was overridden");
        }
    }
}
