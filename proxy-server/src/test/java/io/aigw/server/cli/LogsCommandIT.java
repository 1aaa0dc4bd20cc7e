package io.aigw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.core.auth.KeyHash;
import io.aigw.server.it.ProxyHarness;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aigw logs ...} against the real server with its request log in SQLite. */
class LogsCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROVIDER_KEY = "sk-provider-secret-logs-cli";
    private static final String COMPLETION =
            "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";

    @TempDir
    Path dir;

    private ProxyHarness proxy(TestUpstream upstream) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: "%s"}
                models:
                  m:
                    retries: {count: 0}
                    providers: {mock: {model_id: up}}
                  m2:
                    retries: {count: 0}
                    providers: {mock: {model_id: up}}
                request_log:
                  store: sqlite
                  sqlite: {path: "%s"}
                  flush_interval_ms: 20
                  spill_dir: "%s"
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        upstream.baseUrl(),
                        PROVIDER_KEY,
                        dir.resolve("log.db"),
                        dir.resolve("spill")));
    }

    private static void chat(ProxyHarness proxy, String model, String requestId) throws Exception {
        proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("Content-Type", "application/json")
                .header("x-request-id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .build());
    }

    private static Map<String, String> env(ProxyHarness proxy) {
        return Map.of("AIGW_URL", proxy.url(""), "AIGW_ADMIN_KEY", ProxyHarness.ADMIN_KEY);
    }

    /** Waits until the log holds {@code n} rows of model exchanges (the writer flushes every 20 ms). */
    private static void awaitRows(ProxyHarness proxy, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode data = JSON.readTree(
                            proxy.adminGet("/admin/logs?limit=1000").body())
                    .get("data");
            int found = 0;
            for (JsonNode r : data) {
                found += r.path("endpoint").asText().startsWith("/v1/") ? 1 : 0;
            }
            if (found >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + n + " rows");
    }

    private static void noSecrets(CliRun r) {
        for (String secret : List.of(ProxyHarness.ADMIN_KEY, ProxyHarness.KEY, PROVIDER_KEY)) {
            assertFalse(r.out().contains(secret), r.toString());
            assertFalse(r.err().contains(secret), r.toString());
        }
    }

    @Test
    void queryFiltersAndPrintsRowsNewestFirst() throws Exception {
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = proxy(upstream)) {
            upstream.setDefault(req -> Reply.json(200, COMPLETION));
            chat(proxy, "m", "req-cli-1");
            chat(proxy, "m2", "req-cli-2");
            chat(proxy, "nope", "req-cli-3");
            awaitRows(proxy, 3);

            CliRun byModel = CliRun.run(env(proxy), "logs", "query", "--model", "m", "--limit", "10");
            assertEquals(0, byModel.code(), byModel.toString());
            List<String> lines = byModel.out().lines().toList();
            assertTrue(lines.get(0).startsWith("TIME") && lines.get(0).contains("REQUEST"), byModel.out());
            assertEquals(2, lines.size(), byModel.out());
            assertTrue(lines.get(1).contains("req-cli-1") && lines.get(1).contains("  200  "), byModel.out());
            assertTrue(lines.get(1).contains("11/7"), "tokens in/out: " + byModel.out());
            String keyPrefix = KeyHash.ofKey(ProxyHarness.KEY).hex().substring(0, 12);
            assertTrue(lines.get(1).contains(keyPrefix), byModel.out());
            noSecrets(byModel);

            CliRun notFound = CliRun.run(env(proxy), "logs", "query", "--status", "404", "--json");
            assertEquals(0, notFound.code(), notFound.toString());
            JsonNode data = JSON.readTree(notFound.out()).get("data");
            assertEquals(1, data.size(), notFound.out());
            assertEquals("req-cli-3", data.get(0).get("request_id").asText());

            CliRun since = CliRun.run(
                    env(proxy),
                    "logs",
                    "query",
                    "--since",
                    "1h",
                    "--key-hash",
                    KeyHash.ofKey(ProxyHarness.KEY).hex(),
                    "--json");
            assertEquals(0, since.code(), since.toString());
            assertEquals(3, JSON.readTree(since.out()).get("data").size(), since.out());
            CliRun future = CliRun.run(env(proxy), "logs", "query", "--since", "2099-01-01T00:00:00Z", "--json");
            assertEquals(0, JSON.readTree(future.out()).get("data").size(), future.out());

            CliRun chats = CliRun.run(env(proxy), "logs", "query", "--client-api", "openai", "--json");
            assertEquals(3, JSON.readTree(chats.out()).get("data").size(), chats.out());
            CliRun messages = CliRun.run(env(proxy), "logs", "query", "--client-api", "anthropic", "--json");
            assertEquals(0, JSON.readTree(messages.out()).get("data").size(), messages.out());

            CliRun refused = CliRun.run(env(proxy), "logs", "query", "--limit", "0");
            assertEquals(1, refused.code(), refused.toString());
            assertEquals("aigw: HTTP 400: expected 1 to 1000\n", refused.err());
            CliRun badHash = CliRun.run(env(proxy), "logs", "query", "--key-hash", "xyz");
            assertEquals(1, badHash.code(), badHash.toString());
            assertTrue(badHash.err().contains("64 hex digits"), badHash.err());

            assertEquals(
                    2,
                    CliRun.run(env(proxy), "logs", "query", "--since", "yesterday")
                            .code());
            CliRun clientKey =
                    CliRun.run(Map.of("AIGW_URL", proxy.url(""), "AIGW_ADMIN_KEY", ProxyHarness.KEY), "logs", "query");
            assertEquals(1, clientKey.code(), "a client key cannot read the log: " + clientKey);
            noSecrets(clientKey);
        }
    }

    @Test
    void tailPrintsTheLatestRowsOldestFirstWithoutItsOwnReads() throws Exception {
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = proxy(upstream)) {
            upstream.setDefault(req -> Reply.json(200, COMPLETION));
            for (int i = 1; i <= 4; i++) {
                chat(proxy, i == 3 ? "nope" : "m", "req-tail-" + i);
            }
            awaitRows(proxy, 4);
            CliRun r = CliRun.run(env(proxy), "logs", "tail", "-n", "3");
            assertEquals(0, r.code(), r.toString());
            List<String> lines = r.out().lines().toList();
            assertEquals(4, lines.size(), r.out());
            assertTrue(lines.get(1).contains("req-tail-2"), r.out());
            assertTrue(lines.get(2).contains("req-tail-3"), r.out());
            assertTrue(lines.get(3).contains("req-tail-4"), r.out());
            assertFalse(r.out().contains("/admin/logs"), r.out());

            CliRun statuses = CliRun.run(env(proxy), "logs", "tail", "--status", "404", "--status", "500", "--json");
            assertEquals(0, statuses.code(), statuses.toString());
            List<String> json = statuses.out().lines().toList();
            assertEquals(1, json.size(), statuses.out());
            assertEquals(
                    "req-tail-3", JSON.readTree(json.get(0)).get("request_id").asText());
            noSecrets(r);
        }
    }

    @Test
    void tailFollowPrintsNewRowsAsTheyAreWritten() throws Exception {
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = proxy(upstream)) {
            upstream.setDefault(req -> Reply.json(200, COMPLETION));
            chat(proxy, "m", "req-before");
            awaitRows(proxy, 1);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            AtomicInteger code = new AtomicInteger(-1);
            Thread follower = new Thread(() -> code.set(AigwCli.run(
                    new String[] {"logs", "tail", "--follow", "--json", "--model", "m", "--interval-ms", "100"},
                    env(proxy),
                    InputStream.nullInputStream(),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8))));
            follower.start();
            try {
                await(out, "req-before");
                chat(proxy, "m", "req-after-1");
                chat(proxy, "m2", "req-other-model");
                chat(proxy, "m", "req-after-2");
                await(out, "req-after-2");
                Thread.sleep(400); // a few more polls: nothing is printed twice
            } finally {
                follower.interrupt();
                follower.join(10_000);
            }
            assertFalse(follower.isAlive());
            assertEquals(0, code.get(), err.toString(StandardCharsets.UTF_8));
            List<String> ids = out.toString(StandardCharsets.UTF_8)
                    .lines()
                    .map(l -> {
                        try {
                            return JSON.readTree(l).get("request_id").asText();
                        } catch (Exception e) {
                            throw new AssertionError(l, e);
                        }
                    })
                    .toList();
            assertEquals(List.of("req-before", "req-after-1", "req-after-2"), ids);
        }
    }

    private static void await(ByteArrayOutputStream out, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!out.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never printed " + text + ": " + out.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
    }
}
