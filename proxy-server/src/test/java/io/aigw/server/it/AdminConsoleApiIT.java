package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.core.auth.KeyHash;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the admin console stands on, over real sockets: its static files (no key, strict headers,
 * nothing else reachable through them), {@code GET /admin/metrics/summary} and the log's {@code
 * until} and {@code key_id} filters.
 */
class AdminConsoleApiIT {
    static final String ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,
             "message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}""";
    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    static Path dir;

    private static TestUpstream upstream;
    private static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(r -> Reply.json(200, ANSWER));
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                data_dir: "%s"
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  gpt-4o: {retries: {count: 0}, providers: {mock: {model_id: gpt-4o}}}
                request_log:
                  store: sqlite
                  sqlite: {path: "%s"}
                  flush_interval_ms: 20
                  spill_dir: "%s"
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        dir,
                        upstream.baseUrl(),
                        dir.resolve("requests.db"),
                        dir.resolve("spill")));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    private static HttpResponse<String> anonymous(String method, String path) throws Exception {
        return proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path)))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build());
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    /** The raw request line as written: no client library normalizes the dots away. */
    private static RawHttp.Response raw(String path) throws Exception {
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            return c.readResponse();
        }
    }

    @Test
    void theConsoleShellIsServedWithoutAKeyWithStrictHeaders() throws Exception {
        HttpResponse<String> index = anonymous("GET", "/admin/ui/");
        assertEquals(200, index.statusCode(), index.body());
        assertEquals("text/html; charset=utf-8", header(index, "content-type"));
        String csp = header(index, "content-security-policy");
        assertNotNull(csp);
        assertTrue(csp.startsWith("default-src 'self'"), csp);
        assertTrue(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        assertEquals("DENY", header(index, "x-frame-options"));
        assertEquals("nosniff", header(index, "x-content-type-options"));
        assertEquals("no-cache", header(index, "cache-control"));
        assertTrue(index.body().contains("<script type=\"module\" src=\"app.js\"></script>"), index.body());
        // No inline script: every <script> has a src (the CSP would block it anyway).
        assertEquals(
                index.body().split("<script").length - 1,
                index.body().split("<script type=\"module\" src=").length - 1);

        for (String f : List.of("app.js", "api.js", "dom.js", "pages/logs.js", "style.css")) {
            HttpResponse<String> r = anonymous("GET", "/admin/ui/" + f);
            assertEquals(200, r.statusCode(), f);
            assertTrue(header(r, "content-type").startsWith(f.endsWith(".css") ? "text/css" : "text/javascript"), f);
            assertEquals("nosniff", header(r, "x-content-type-options"), f);
        }
        HttpResponse<String> head = anonymous("HEAD", "/admin/ui/app.js");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());

        HttpResponse<String> bare = anonymous("GET", "/admin/ui");
        assertEquals(308, bare.statusCode());
        assertEquals("/admin/ui/", header(bare, "location"));
    }

    @Test
    void unknownFilesAndTraversalsAre404sNotData() throws Exception {
        HttpResponse<String> missing = anonymous("GET", "/admin/ui/nope.js");
        assertEquals(404, missing.statusCode());
        error(missing, 404, "not_found", null);
        for (String path : List.of(
                "/admin/ui/../admin/keys",
                "/admin/ui/../../admin/providers",
                "/admin/ui/%2e%2e/admin/providers",
                "/admin/ui/%2e%2e%2fadmin%2fproviders",
                "/admin/ui/..%2F..%2Fadmin%2Flogs",
                "/admin/ui/pages/../../admin/logs",
                "/admin/ui//etc/passwd",
                "/admin/ui/%2fetc%2fpasswd",
                "/admin/ui/app.js%00.html",
                "/admin/ui/pages")) {
            RawHttp.Response r = raw(path);
            assertEquals(404, r.status(), path + ": " + r.body());
            JsonNode error = json(r.body()).get("error");
            assertEquals("not_found", error.get("code").asText(), path);
            assertFalse(r.body().contains("providers\":[") || r.body().contains("\"data\""), path);
        }
    }

    @Test
    void everyOtherAdminPathStillTakesTheAdminKey() throws Exception {
        for (String path : List.of(
                "/admin/providers",
                "/admin/keys",
                "/admin/logs",
                "/admin/metrics/summary",
                "/admin/uix",
                "/admin/ui-other/x",
                "/admin")) {
            assertEquals(401, anonymous("GET", path).statusCode(), path);
        }
        // Only reads of the shell: a POST under /admin/ui needs the key like any admin path.
        assertEquals(401, anonymous("POST", "/admin/ui/").statusCode());
        assertEquals(401, anonymous("DELETE", "/admin/ui/app.js").statusCode());
        assertEquals(
                401,
                proxy.call("GET", "/admin/metrics/summary", ProxyHarness.KEY).statusCode());
        assertEquals(
                405, proxy.call("POST", "/admin/ui/", ProxyHarness.ADMIN_KEY).statusCode());
    }

    @Test
    void theSummaryCountsTheModelTrafficOfTheWindow() throws Exception {
        JsonNode before = summary();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
        }
        assertEquals(
                404,
                proxy.post("/v1/chat/completions", CHAT.replace("gpt-4o", "nope"))
                        .statusCode());
        // An exchange is counted once its answer is written: the client may see it a moment before.
        JsonNode after = awaitSummary(
                s -> s.get("requests").asLong() >= before.get("requests").asLong() + 4);
        assertEquals(4, after.get("requests").asLong() - before.get("requests").asLong(), after.toString());
        assertEquals(1, after.get("errors").asLong() - before.get("errors").asLong(), after.toString());
        assertEquals(
                33,
                after.get("prompt_tokens").asLong()
                        - before.get("prompt_tokens").asLong());
        assertEquals(
                21,
                after.get("completion_tokens").asLong()
                        - before.get("completion_tokens").asLong());
        assertTrue(after.get("cost_usd").asDouble() > before.get("cost_usd").asDouble(), after.toString());
        double p50 = after.get("latency_p50_seconds").asDouble();
        double p99 = after.get("latency_p99_seconds").asDouble();
        assertTrue(p50 > 0 && p50 <= p99, after.toString());
        assertTrue(after.get("overhead_p50_seconds").isNumber(), after.toString());
        assertEquals(3600, after.get("window_seconds").asInt());
        double covered = after.get("covered_seconds").asDouble();
        assertTrue(covered >= 0 && covered <= 3600, after.toString());
        assertTrue(Instant.parse(after.get("from").asText())
                .isBefore(Instant.parse(after.get("to").asText())));

        // The admin reads above are not traffic.
        assertEquals(after.get("requests").asLong(), summary().get("requests").asLong());
        HttpResponse<String> bad = proxy.adminGet("/admin/metrics/summary?window_seconds=0");
        error(bad, 400, "invalid_value", "window_seconds");
        assertEquals(
                400, proxy.adminGet("/admin/metrics/summary?window_seconds=x").statusCode());
    }

    @Test
    void withMetricsOffTheSummaryIsA404SayingSo() throws Exception {
        try (ProxyHarness off =
                ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                metrics: {enabled: false}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  gpt-4o: {providers: {mock: {model_id: gpt-4o}}}
                """.formatted(ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, upstream.baseUrl()))) {
            HttpResponse<String> r = off.adminGet("/admin/metrics/summary");
            error(r, 404, "metrics_disabled", null);
        }
    }

    @Test
    void theLogFiltersByUntilAndByKeyId() throws Exception {
        HttpResponse<String> made = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/admin/keys")))
                .header("Authorization", "Bearer " + ProxyHarness.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"console-it\"}"))
                .build());
        assertEquals(201, made.statusCode(), made.body());
        JsonNode key = json(made.body());
        String secret = key.get("key").asText();
        HttpResponse<String> used = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + secret)
                .header("Content-Type", "application/json")
                .header("x-request-id", "console-it-by-key")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT))
                .build());
        assertEquals(200, used.statusCode(), used.body());

        JsonNode rows = awaitLog("/admin/logs?key_id=" + key.get("id").asLong(), d -> d.size() == 1);
        JsonNode row = rows.get(0);
        assertEquals(KeyHash.ofKey(secret).hex(), row.get("api_key_hash").asText());
        assertEquals("console-it-by-key", row.get("request_id").asText());

        // until is exclusive: the row's own instant leaves it out, a millisecond later takes it in.
        Instant ts = Instant.parse(row.get("ts").asText());
        String byKey = "/admin/logs?key_id=" + key.get("id").asLong();
        assertEquals(0, logs(byKey + "&until=" + ts).size());
        assertEquals(1, logs(byKey + "&until=" + ts.plusMillis(1)).size());
        assertEquals(
                1,
                logs(byKey + "&since=" + ts + "&until=" + ts.plusMillis(1).toEpochMilli())
                        .size());
        assertEquals(0, logs(byKey + "&since=" + ts.plusMillis(1)).size());

        error(proxy.adminGet("/admin/logs?until=yesterday"), 400, "invalid_value", "until");
        // The model API only, or the admin API only (these admin reads are in the log too).
        JsonNode api = logs("/admin/logs?endpoint_prefix=/v1/");
        JsonNode admin = logs("/admin/logs?endpoint_prefix=/admin/");
        assertTrue(api.size() >= 1 && admin.size() >= 1, api + " " + admin);
        api.forEach(r -> assertTrue(r.get("endpoint").asText().startsWith("/v1/"), r.toString()));
        admin.forEach(r -> assertTrue(r.get("endpoint").asText().startsWith("/admin/"), r.toString()));
        error(proxy.adminGet("/admin/logs?endpoint_prefix=v1"), 400, "invalid_value", "endpoint_prefix");
        error(proxy.adminGet("/admin/logs?key_id=987654"), 404, "key_not_found", "key_id");
        assertEquals(400, proxy.adminGet("/admin/logs?key_id=x").statusCode());
        assertEquals(
                400,
                proxy.adminGet("/admin/logs?key_id=1&key_hash=" + "a".repeat(64))
                        .statusCode());
    }

    @Test
    void aRepeatedFilterTakesItsLastValueAndAnEmptyOneIsNoFilter() throws Exception {
        // Before: the first value was checked for emptiness, the last one used; an empty last
        // endpoint_prefix then failed inside the endpoint (500, an ERROR line) instead of filtering nothing.
        HttpResponse<String> r = proxy.adminGet("/admin/logs?endpoint_prefix=/v1/&endpoint_prefix=");
        assertEquals(200, r.statusCode(), r.body());
        error(
                proxy.adminGet("/admin/logs?endpoint_prefix=&endpoint_prefix=v1"),
                400,
                "invalid_value",
                "endpoint_prefix");
        // The same rule for the summary's window (before: an empty first value hid the last one).
        HttpResponse<String> window = proxy.adminGet("/admin/metrics/summary?window_seconds=&window_seconds=60");
        assertEquals(200, window.statusCode(), window.body());
        assertEquals(60, json(window.body()).get("window_seconds").asInt(), window.body());
    }

    private static void error(HttpResponse<String> r, int status, String code, String param) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        ErrorShape.assertError(r.body(), "invalid_request_error", code, param);
    }

    private static JsonNode summary() throws Exception {
        HttpResponse<String> r = proxy.adminGet("/admin/metrics/summary?window_seconds=3600");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", header(r, "content-type"));
        return json(r.body());
    }

    private static JsonNode awaitSummary(Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode s = summary();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = summary();
        }
        return s;
    }

    private static JsonNode logs(String path) throws Exception {
        HttpResponse<String> r = proxy.adminGet(path);
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body()).get("data");
    }

    private static JsonNode awaitLog(String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode d = logs(path);
        while (!done.test(d) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            d = logs(path);
        }
        assertTrue(done.test(d), d.toString());
        return d;
    }
}
