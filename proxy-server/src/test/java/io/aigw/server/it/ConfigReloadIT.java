package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static io.aigw.server.it.ErrorShape.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.server.Main;
import io.aigw.server.runtime.ReloadOutcome;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload through the real server: the admin endpoint, SIGHUP's handler and the file watch each
 * read the file again; a good config changes routes for new requests, a bad one changes nothing;
 * breaker state, overrides and the pools of unchanged origins survive, removed origins' pools close.
 */
class ConfigReloadIT {
    private static final String OK = FailoverIT.OK;

    @TempDir
    Path dir;

    /** Providers a and b (and c when given), model m served by {@code mProvider}, plus {@code extra} YAML under models. */
    private static String yaml(String a, String b, String c, String mProvider, String extraModels, String top) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 1}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                metrics: {enabled: true}
                upstream: {breaker: {failures: 2, cooldown_ms: 600000}}
                %s
                providers:
                  a: {type: openai, base_url: "%s", api_key: sk-provider-a-secret}
                  b: {type: openai, base_url: "%s", api_key: sk-provider-b-secret}
                %s
                models:
                  m:
                    retries: {count: 0}
                    providers:
                      %s: {model_id: m-id}
                  n:
                    retries: {count: 0}
                    providers:
                      b: {model_id: n-id}
                %s
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        top,
                        a,
                        b,
                        c == null ? "" : "  c: {type: openai, base_url: \"" + c + "\", api_key: sk-provider-c-secret}",
                        mProvider,
                        extraModels);
    }

    private Path write(String yaml) throws Exception {
        return write(dir.resolve("proxy.yaml"), yaml);
    }

    /** Replaced whole, as editors and config managers do. */
    private static Path write(Path file, String yaml) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    }

    private static String provider(ProxyHarness proxy, String model) throws Exception {
        HttpResponse<String> r = proxy.post("/v1/chat/completions", chat(model));
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("x-proxy-provider").orElse(null);
    }

    private static JsonNode reload(ProxyHarness proxy) throws Exception {
        HttpResponse<String> r = proxy.adminPost("/admin/config/reload");
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static double metric(ProxyHarness proxy, String series) throws Exception {
        String body = proxy.call("GET", "/metrics", null).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    @Test
    void aGoodReloadChangesTheRouteABadOneChangesNothing() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            b.setDefault(r -> Reply.json(200, OK));
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                assertEquals("a", provider(proxy, "m"));

                write(yaml(a.baseUrl(), b.baseUrl(), null, "b", "", ""));
                JsonNode answer = reload(proxy);
                assertEquals("reloaded", answer.get("status").asText(), answer.toString());
                assertEquals(1, answer.get("version").asLong());
                assertEquals(List.of("models.m"), strings(answer.get("changed")));
                assertEquals(List.of(), strings(answer.get("restart_required")));
                assertEquals(2, answer.get("providers").asInt());
                assertEquals(2, answer.get("models").asInt());
                assertEquals("b", provider(proxy, "m"), "the first request after the answer takes the new route");

                // A model on a provider that does not exist: refused whole, the route stays.
                write(yaml(a.baseUrl(), b.baseUrl(), null, "nowhere", "", ""));
                HttpResponse<String> bad = proxy.adminPost("/admin/config/reload");
                assertEquals(400, bad.statusCode(), bad.body());
                JsonNode error = assertError(bad.body(), "invalid_request_error", "config_invalid", null);
                assertTrue(error.get("message").asText().contains("nowhere"), bad.body());
                assertFalse(bad.body().contains("sk-provider"), "no secret in the answer");
                assertEquals("b", provider(proxy, "m"));

                Files.writeString(file, "models: [unclosed\n", StandardCharsets.UTF_8);
                HttpResponse<String> syntax = proxy.adminPost("/admin/config/reload");
                assertEquals(400, syntax.statusCode(), syntax.body());
                assertError(syntax.body(), "invalid_request_error", "config_invalid", null);
                assertEquals("b", provider(proxy, "m"));
                assertEquals(2.0, metric(proxy, "aigw_config_reloads_total{result=\"failure\"}"));
                assertEquals(1.0, metric(proxy, "aigw_config_reloads_total{result=\"success\"}"));
                assertTrue(metric(proxy, "aigw_config_last_reload_success_timestamp_seconds") > 1.7e9);

                // A restart-only setting is named, not applied; the rest would still apply.
                write(yaml(a.baseUrl(), b.baseUrl(), null, "b", "", "")
                        .replace("io_threads: 1", "io_threads: 3")
                        .replace("enabled: true}", "enabled: true, path: /prom}"));
                JsonNode restart = reload(proxy);
                assertEquals("unchanged", restart.get("status").asText(), restart.toString());
                assertEquals(1, restart.get("version").asLong());
                assertEquals(List.of("server.io_threads", "metrics.path"), strings(restart.get("restart_required")));
                assertEquals(200, proxy.call("GET", "/metrics", null).statusCode(), "still served where it was");
                assertEquals("b", provider(proxy, "m"));
            }
        }
    }

    @Test
    void limitFiguresApplyLiveTheirStoreNeedsARestart() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", "limits: {global: {rpm: 2}}"));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                assertEquals("a", provider(proxy, "m"));
                assertEquals("a", provider(proxy, "m"));
                assertEquals(429, proxy.post("/v1/chat/completions", chat("m")).statusCode());

                write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", "limits: {global: {rpm: 100000}}"));
                JsonNode answer = reload(proxy);
                assertEquals(List.of("limits"), strings(answer.get("changed")), answer.toString());
                assertEquals("a", provider(proxy, "m"), "the new figure applies to the next request");

                write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", "limits: {store: redis, global: {rpm: 100000}}"));
                JsonNode store = reload(proxy);
                assertEquals(List.of("limits.store"), strings(store.get("restart_required")), store.toString());
                assertEquals("a", provider(proxy, "m"), "still limited in this process");
            }
        }
    }

    @Test
    void breakerStateAndAdminOverridesSurviveAReload() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(
                    500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
            b.setDefault(r -> Reply.json(200, OK));
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                for (int i = 0; i < 2; i++) {
                    assertEquals(
                            500, proxy.post("/v1/chat/completions", chat("m")).statusCode());
                }
                assertEquals(200, proxy.adminPost("/admin/providers/b/disable").statusCode());
                assertEquals("open", breaker(proxy, "a", "m"));
                assertEquals("disabled", breaker(proxy, "b", "n"));

                // m keeps its deployment on a (another priority), n on b; model k is new.
                write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "  k:\n    providers:\n      a: {model_id: k-id}\n", "")
                        .replace("a: {model_id: m-id}", "a: {model_id: m-id, priority: 3}"));
                JsonNode answer = reload(proxy);
                assertEquals(List.of("models.k", "models.m"), strings(answer.get("changed")));
                assertEquals("open", breaker(proxy, "a", "m"), "the open breaker survived");
                assertEquals("disabled", breaker(proxy, "b", "n"), "the operator's override survived");
                assertEquals("closed", breaker(proxy, "a", "k"), "a new deployment starts fresh");
                assertEquals(
                        2,
                        deployment(proxy, "a", "m").get("consecutive_failures").asInt());
                assertEquals(3, deployment(proxy, "a", "m").get("priority").asInt(), "the new priority applies");
            }
        }
    }

    private static String breaker(ProxyHarness proxy, String provider, String model) throws Exception {
        return deployment(proxy, provider, model).get("breaker").asText();
    }

    private static JsonNode deployment(ProxyHarness proxy, String provider, String model) throws Exception {
        JsonNode view = json(proxy.adminGet("/admin/providers").body());
        for (JsonNode p : view.get("providers")) {
            if (p.get("name").asText().equals(provider)) {
                for (JsonNode d : p.get("deployments")) {
                    if (d.get("model").asText().equals(model)) {
                        return d;
                    }
                }
            }
        }
        throw new AssertionError("no " + model + "@" + provider + " in " + view);
    }

    @Test
    void anUnchangedOriginKeepsItsConnectionsARemovedOneIsClosed() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start();
                TestUpstream c = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            b.setDefault(r -> Reply.json(200, OK));
            c.setDefault(r -> Reply.json(200, OK));
            String withC = "  cm:\n    providers:\n      c: {model_id: c-id}\n";
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), c.baseUrl(), "a", withC, ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                assertEquals("a", provider(proxy, "m"));
                assertEquals("c", provider(proxy, "cm"));
                assertEquals(1, a.connectionsOpened());
                assertEquals(1, c.connectionsOpened());
                String origins = proxy.call("GET", "/metrics", null).body();
                assertTrue(origins.contains(c.baseUrl().replace("/v1", "")), origins);

                write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""));
                JsonNode answer = reload(proxy);
                assertEquals(List.of("providers.c", "models.cm"), strings(answer.get("changed")));
                assertTrue(
                        c.awaitConnectionClosed(Duration.ofSeconds(5)), "the removed origin's idle connection closed");
                assertEquals("a", provider(proxy, "m"));
                assertEquals(1, a.connectionsOpened(), "the kept origin's idle connection served it");
                assertEquals(404, proxy.post("/v1/chat/completions", chat("cm")).statusCode());
                String after = proxy.call("GET", "/metrics", null).body();
                assertFalse(after.contains(":" + c.port()), "no series of the removed origin: " + after);
            }
        }
    }

    @Test
    void aStreamOnARemovedProviderFinishesThenItsConnectionCloses() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start();
                TestUpstream c = TestUpstream.start()) {
            StreamScript script = new StreamScript();
            c.enqueue(Reply.stream(script));
            String withC = "  cm:\n    providers:\n      c: {model_id: c-id}\n";
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), c.baseUrl(), "a", withC, ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                CompletableFuture<HttpResponse<String>> stream = proxy.http()
                        .sendAsync(
                                HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                                        .header("Authorization", "Bearer " + ProxyHarness.KEY)
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                chat("cm").replace("{\"model\"", "{\"stream\":true,\"model\"")))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertTrue(script.awaitStarted(Duration.ofSeconds(5)));
                script.send(chunk("before"));

                write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""));
                assertEquals(
                        List.of("providers.c", "models.cm"),
                        strings(reload(proxy).get("changed")));
                assertFalse(stream.isDone(), "the stream goes on");
                script.send(chunk("after"));
                script.end();
                HttpResponse<String> r = stream.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("before") && r.body().contains("after"), r.body());
                assertTrue(r.body().trim().endsWith("data: [DONE]"), r.body());
                assertTrue(c.awaitConnectionClosed(Duration.ofSeconds(5)), "closed once released, not pooled");
            }
        }
    }

    private static String chunk(String text) {
        return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"c-id\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}";
    }

    @Test
    void anAddedProviderIsCountedUnderItsOwnName() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start();
                TestUpstream c = TestUpstream.start()) {
            c.setDefault(r -> Reply.json(
                    200,
                    "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[],"
                            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}"));
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                write(yaml(
                        a.baseUrl(),
                        b.baseUrl(),
                        c.baseUrl(),
                        "a",
                        "  cm:\n    providers:\n      c: {model_id: c-id}\n",
                        ""));
                reload(proxy);
                assertEquals("c", provider(proxy, "cm"));
                assertEquals(
                        1.0,
                        metric(
                                proxy,
                                "requests_total{endpoint=\"/v1/chat/completions\",provider=\"c\",status_code=\"200\"}"));
                assertEquals(4.0, metric(proxy, "token_usage_total{direction=\"output\",provider=\"c\"}"));
            }
        }
    }

    @Test
    void sighupsHandlerReloadsAndAServerWithoutAFileSaysSo() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            b.setDefault(r -> Reply.json(200, OK));
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                write(yaml(a.baseUrl(), b.baseUrl(), null, "b", "", ""));
                ReloadOutcome outcome = Main.reloadOnHangup(proxy.server()).get(10, TimeUnit.SECONDS);
                assertEquals(ReloadOutcome.RELOADED, outcome.status(), outcome.toString());
                assertEquals("b", provider(proxy, "m"));
            }
            try (ProxyHarness inCode = ProxyHarness.startYaml(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""))) {
                HttpResponse<String> r = inCode.adminPost("/admin/config/reload");
                assertEquals(409, r.statusCode(), r.body());
                assertError(r.body(), "invalid_request_error", "config_reload_unavailable", null);
                assertEquals(
                        401,
                        inCode.call("POST", "/admin/config/reload", ProxyHarness.KEY)
                                .statusCode());
            }
        }
    }

    @Test
    void anOriginWhosePoolSettingsChangedKeepsItsMetricLabel() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            String before = yaml(a.baseUrl(), b.baseUrl(), null, "a", "", "");
            Path file = write(before);
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                assertEquals("a", provider(proxy, "m"));
                String origin = "http://127.0.0.1:" + a.port();
                String idle = "aigw_upstream_pool_connections{origin=\"" + origin + "\",state=\"idle\"}";
                assertEquals(1.0, metric(proxy, idle));

                // New pool settings: a new pool for the same origin, built while the old one is still live.
                write(before.replace("upstream: {", "upstream: {max_connections: 7, "));
                assertEquals(
                        List.of("providers.a", "providers.b"),
                        strings(reload(proxy).get("changed")));
                assertEquals("a", provider(proxy, "m"));
                String scrape = proxy.call("GET", "/metrics", null).body();
                assertEquals(1.0, metric(proxy, idle), "the same series, not one suffixed with a provider: " + scrape);

                // Two pools of one config at one address: then each names its provider.
                write(before.replace("upstream: {", "upstream: {max_connections: 7, ")
                        .replace(
                                "models:",
                                "  c: {type: openai, base_url: \"" + a.baseUrl()
                                        + "\", api_key: sk-provider-c-secret, max_connections: 3}\nmodels:"));
                assertEquals(List.of("providers.c"), strings(reload(proxy).get("changed")));
                String ofA = "aigw_upstream_pool_connections{origin=\"" + origin + " (a)\",state=\"idle\"}";
                String ofC = "aigw_upstream_pool_connections{origin=\"" + origin + " (c)\",state=\"idle\"}";
                assertEquals(1.0, metric(proxy, ofA));
                assertEquals(0.0, metric(proxy, ofC));
            }
        }
    }

    @Test
    void configWatchReloadsWhenTheFileIsRewritten() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            b.setDefault(r -> Reply.json(200, OK));
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", "config_watch: true"));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                assertEquals("a", provider(proxy, "m"));
                String facts = proxy.adminGet("/admin/config").body();
                assertTrue(facts.contains("\"config_watch\":true"), "the watch runs: " + facts);
                write(yaml(a.baseUrl(), b.baseUrl(), null, "b", "", "config_watch: true"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String served = "a";
                while (!served.equals("b") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    served = provider(proxy, "m");
                }
                assertEquals("b", served, "the watch reloaded the rewritten file");
                assertEquals(1, proxy.server().runtime().version());
            }
        }
    }

    private static String awaitProvider(ProxyHarness proxy, String want) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String served = provider(proxy, "m");
        while (!served.equals(want) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            served = provider(proxy, "m");
        }
        return served;
    }

    @Test
    void configWatchSurvivesADeletedFileAnInvalidOneAndASymlinkSwap() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            b.setDefault(r -> Reply.json(200, OK));
            // As Kubernetes mounts a ConfigMap: proxy.yaml -> ..data/proxy.yaml, ..data -> a versioned dir.
            Path v1 = Files.createDirectory(dir.resolve("..v1"));
            Files.writeString(
                    v1.resolve("proxy.yaml"), yaml(a.baseUrl(), b.baseUrl(), null, "a", "", "config_watch: true"));
            Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
            Path file = Files.createSymbolicLink(dir.resolve("proxy.yaml"), Path.of("..data", "proxy.yaml"));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                assertEquals("a", provider(proxy, "m"));

                Path v2 = Files.createDirectory(dir.resolve("..v2"));
                Files.writeString(
                        v2.resolve("proxy.yaml"), yaml(a.baseUrl(), b.baseUrl(), null, "b", "", "config_watch: true"));
                Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
                Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
                assertEquals("b", awaitProvider(proxy, "b"), "the swapped link was seen");
                assertEquals(1, proxy.server().runtime().version());

                // Gone for a while (a broken link): no reload is tried, the running config serves.
                Files.delete(dir.resolve("..data"));
                Thread.sleep(600);
                assertEquals("b", provider(proxy, "m"));
                assertTrue(Double.isNaN(metric(proxy, "aigw_config_reloads_total{result=\"failure\"}"))
                        || metric(proxy, "aigw_config_reloads_total{result=\"failure\"}") == 0.0);

                // Back, but invalid: refused; then fixed: applied.
                Path v3 = Files.createDirectory(dir.resolve("..v3"));
                Files.writeString(v3.resolve("proxy.yaml"), "models: [unclosed\n");
                Files.createSymbolicLink(dir.resolve("..data"), v3.getFileName());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!(metric(proxy, "aigw_config_reloads_total{result=\"failure\"}") >= 1.0)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(1.0, metric(proxy, "aigw_config_reloads_total{result=\"failure\"}"));
                assertEquals("b", provider(proxy, "m"));
                write(v3.resolve("proxy.yaml"), yaml(a.baseUrl(), b.baseUrl(), null, "a", "", "config_watch: true"));
                assertEquals("a", awaitProvider(proxy, "a"), "the fixed file was applied");
                assertEquals(2, proxy.server().runtime().version());
            }
        }
    }

    @Test
    void pipelinedRequestsEachTakeTheSnapshotCurrentWhenTheyStart() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.delayed(Duration.ofMillis(800), Reply.json(200, OK)));
            b.setDefault(r -> Reply.json(200, OK));
            Path file = write(yaml(a.baseUrl(), b.baseUrl(), null, "a", "", ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file);
                    RawHttp raw = new RawHttp(proxy.port())) {
                byte[] body = chat("m").getBytes(StandardCharsets.UTF_8);
                raw.post("/v1/chat/completions", ProxyHarness.KEY, body);
                raw.post("/v1/chat/completions", ProxyHarness.KEY, body); // pipelined: held until the first ends
                assertTrue(a.takeRequest(Duration.ofSeconds(5)) != null, "the first is at a");

                write(yaml(a.baseUrl(), b.baseUrl(), null, "b", "", ""));
                assertEquals(
                        ReloadOutcome.RELOADED,
                        proxy.server().reload("test").get().status());

                RawHttp.Response first = raw.readResponse();
                RawHttp.Response second = raw.readResponse();
                assertEquals(200, first.status(), first.body());
                assertTrue(first.hasHeader("x-proxy-provider: a"), "started before the reload: " + first.headers());
                assertEquals(200, second.status(), second.body());
                assertTrue(second.hasHeader("x-proxy-provider: b"), "started after it: " + second.headers());
                raw.post("/v1/chat/completions", ProxyHarness.KEY, body); // the same kept-alive connection
                assertTrue(raw.readResponse().hasHeader("x-proxy-provider: b"));
                assertEquals(1, a.requestCount());
            }
        }
    }
}
