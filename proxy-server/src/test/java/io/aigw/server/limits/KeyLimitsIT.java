package io.aigw.server.limits;

import static io.aigw.server.limits.RateLimitAnswers.assertRefused;
import static io.aigw.server.limits.RateLimitAnswers.metric;
import static io.aigw.server.limits.RateLimitAnswers.shown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.it.ProxyHarness;
import io.aigw.server.metrics.Scrape;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-key limits from the key store (a database key's own rpm, max_parallel and daily token quota,
 * set through {@code POST /admin/keys}, SQLite in the data dir), {@code key_defaults} for the config
 * file's keys, and the per-IP and global limits, on the local store through the real server. Every
 * refusal is a 429 in OpenAI's shape that never reaches the provider.
 */
class KeyLimitsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String OK = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
            + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":150,\"total_tokens\":200}}";
    static final String CHUNK = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}";
    static final String USAGE_CHUNK =
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    @TempDir
    Path dir;

    private TestUpstream upstream;
    private final List<ProxyHarness> proxies = new ArrayList<>();

    @BeforeEach
    void start() {
        upstream = TestUpstream.start();
        upstream.setDefault(r -> Reply.json(200, OK));
    }

    @AfterEach
    void stop() {
        proxies.forEach(ProxyHarness::close);
        upstream.close();
    }

    private ProxyHarness proxy(String limits) throws Exception {
        ProxyHarness p = ProxyHarness.startYaml(LimitsYaml.yaml(dir, upstream, "  store: local\n" + limits));
        proxies.add(p);
        return p;
    }

    /** A database key made through the admin API with {@code settings} (JSON members); returns the key. */
    private static String createKey(ProxyHarness p, String settings) throws Exception {
        return create(p, settings).get("key").asText();
    }

    private static JsonNode create(ProxyHarness p, String settings) throws Exception {
        HttpResponse<String> r = admin(p, "POST", "/admin/keys", "{\"name\":\"k\"," + settings + "}");
        assertEquals(201, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> admin(ProxyHarness p, String method, String path, String body)
            throws Exception {
        return p.send(HttpRequest.newBuilder(URI.create(p.url(path)))
                .header("Authorization", "Bearer " + LimitsYaml.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static HttpRequest chat(ProxyHarness p, String key, String body) {
        return HttpRequest.newBuilder(URI.create(p.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpResponse<String> chat(ProxyHarness p, String key) throws Exception {
        return p.send(chat(p, key, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    }

    private static Scrape scrape(ProxyHarness p) throws Exception {
        return new Scrape(p.call("GET", "/metrics", null).body());
    }

    private static double limited(ProxyHarness p, String scope, String reason) throws Exception {
        return metric(scrape(p), "aigw_ratelimit_limited_total", Map.of("scope", scope, "reason", reason));
    }

    @Test
    void aDatabaseKeysOwnRpmWinsOverKeyDefaultsWhichLimitConfigFileKeys() throws Exception {
        ProxyHarness p = proxy("  key_defaults: {rpm: 2}\n");
        JsonNode made = create(p, "\"rpm\":3");
        String key = made.get("key").asText();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat(p, key);
            assertEquals(200, r.statusCode(), r.body());
            RateLimitAnswers.Shown requests = shown(r, "requests");
            assertEquals(3, requests.limit());
            assertEquals(2 - i, requests.remaining());
        }
        HttpResponse<String> refused = chat(p, key);
        long retryMs = assertRefused(refused, "requests", "rate_limit_exceeded");
        // One request a minute / 3 comes back after 20 s.
        assertTrue(retryMs > 15_000 && retryMs <= 20_000, "retry-after-ms " + retryMs);
        RateLimitAnswers.Shown requests = shown(refused, "requests");
        assertEquals(3, requests.limit());
        assertEquals(0, requests.remaining());
        assertEquals(3, upstream.requestCount(), "a refused request never reaches the provider");

        // Raised through PATCH: applies to the next request, on the same state (3 already taken).
        HttpResponse<String> patched =
                admin(p, "PATCH", "/admin/keys/" + made.get("id").asText(), "{\"rpm\":5}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals(200, chat(p, key).statusCode());
        assertEquals(200, chat(p, key).statusCode());
        HttpResponse<String> again = chat(p, key);
        assertRefused(again, "requests", "rate_limit_exceeded");
        assertEquals(5, shown(again, "requests").limit());
        assertEquals(5, upstream.requestCount());

        // The config file's key: key_defaults.
        assertEquals(200, chat(p, LimitsYaml.KEY).statusCode());
        assertEquals(200, chat(p, LimitsYaml.KEY).statusCode());
        HttpResponse<String> byDefault = chat(p, LimitsYaml.KEY);
        assertRefused(byDefault, "requests", "rate_limit_exceeded");
        assertEquals(2, shown(byDefault, "requests").limit());
        assertEquals(7, upstream.requestCount());
        assertEquals(3, limited(p, "key", "rpm"));
    }

    @Test
    void maxParallelRefusesTheThirdConcurrentRequestAndAdmitsOneOnceAnotherCompletes() throws Exception {
        LinkedBlockingQueue<StreamScript> held = new LinkedBlockingQueue<>();
        upstream.setDefault(r -> {
            StreamScript s = new StreamScript();
            held.add(s);
            return Reply.stream(s);
        });
        ProxyHarness p = proxy("");
        String key = createKey(p, "\"max_parallel\":2");
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        List<StreamScript> scripts = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                streams.add(p.http().sendAsync(chat(p, key, body), HttpResponse.BodyHandlers.ofString()));
                StreamScript s = held.poll(5, TimeUnit.SECONDS);
                assertNotNull(s, "stream " + i + " reached the provider");
                scripts.add(s);
            }
            // Bounded: a third stream let through would be held by the provider like the others.
            HttpResponse<String> third = p.http()
                    .sendAsync(chat(p, key, body), HttpResponse.BodyHandlers.ofString())
                    .get(5, TimeUnit.SECONDS);
            assertRefused(third, null, "rate_limit_exceeded");
            assertEquals(2, upstream.requestCount());
            assertEquals(1, limited(p, "key", "parallel"));

            // One completes: its slot is free again.
            finish(scripts.get(0));
            assertEquals(200, streams.get(0).get(5, TimeUnit.SECONDS).statusCode());
            StreamScript fourth = admitWithin(p, key, body, streams, held, Duration.ofSeconds(1));
            scripts.add(fourth);
        } finally {
            held.drainTo(scripts);
            scripts.forEach(KeyLimitsIT::finish);
        }
        for (CompletableFuture<HttpResponse<String>> f : streams) {
            HttpResponse<String> r = f.get(5, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("data: [DONE]"), r.body());
        }
    }

    @Test
    void aStreamTheClientAbandonsFreesItsPlace() throws Exception {
        LinkedBlockingQueue<StreamScript> held = new LinkedBlockingQueue<>();
        upstream.setDefault(r -> {
            StreamScript s = new StreamScript();
            held.add(s);
            return Reply.stream(s);
        });
        ProxyHarness p = proxy("");
        String key = createKey(p, "\"max_parallel\":1");
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        List<StreamScript> scripts = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        try {
            StreamScript first;
            try (Socket client = new Socket("127.0.0.1", p.port())) {
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                client.getOutputStream()
                        .write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                                        + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                                        + "\r\n\r\n" + body)
                                .getBytes(StandardCharsets.UTF_8));
                first = held.poll(5, TimeUnit.SECONDS);
                assertNotNull(first, "the stream reached the provider");
                scripts.add(first);
                first.send(CHUNK);
                byte[] head = new byte[12];
                assertEquals(12, client.getInputStream().readNBytes(head, 0, 12));
                assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
                // Its one place is taken.
                HttpResponse<String> second = p.http()
                        .sendAsync(chat(p, key, body), HttpResponse.BodyHandlers.ofString())
                        .get(5, TimeUnit.SECONDS);
                assertRefused(second, null, "rate_limit_exceeded");
            } // the client leaves mid-stream
            assertTrue(first.awaitClosedByPeer(Duration.ofSeconds(5)), "the proxy dropped the provider's stream");
            scripts.add(admitWithin(p, key, body, streams, held, Duration.ofSeconds(2)));
        } finally {
            held.drainTo(scripts);
            scripts.forEach(KeyLimitsIT::finish);
        }
        for (CompletableFuture<HttpResponse<String>> f : streams) {
            assertEquals(200, f.get(5, TimeUnit.SECONDS).statusCode());
        }
    }

    /**
     * Sends until one is admitted (reaches the provider) within {@code within}: the slot is released as the
     * exchange completes, a moment after the client has the last byte. Returns the admitted one's script.
     */
    private static StreamScript admitWithin(
            ProxyHarness p,
            String key,
            String body,
            List<CompletableFuture<HttpResponse<String>>> streams,
            LinkedBlockingQueue<StreamScript> held,
            Duration within)
            throws Exception {
        long end = System.nanoTime() + within.toNanos();
        while (true) {
            CompletableFuture<HttpResponse<String>> f =
                    p.http().sendAsync(chat(p, key, body), HttpResponse.BodyHandlers.ofString());
            while (true) {
                StreamScript s = held.poll(20, TimeUnit.MILLISECONDS);
                if (s != null) {
                    streams.add(f);
                    return s;
                }
                if (f.isDone()) {
                    assertRefused(f.get(), null, "rate_limit_exceeded");
                    break;
                }
            }
            assertTrue(System.nanoTime() < end, "no request admitted " + within + " after one completed");
            Thread.sleep(20);
        }
    }

    private static void finish(StreamScript s) {
        s.send(CHUNK);
        s.send(USAGE_CHUNK);
        s.end();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"daily", "monthly"})
    void aTokenQuotaOnceUsedAnswersInsufficientQuota(String period) throws Exception {
        ProxyHarness p = proxy("");
        String key = createKey(p, "\"token_quota_" + period + "\":500");
        // A small max_tokens: the estimate (≈ 45) fits, the real usage (200) is what the quota counts.
        String body = "{\"model\":\"m\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = p.send(chat(p, key, body));
            assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
            // Each exchange's usage is charged as it completes, a moment after the answer.
            Thread.sleep(100);
        }
        HttpResponse<String> refused = p.send(chat(p, key, body));
        assertRefused(refused, "insufficient_quota", "insufficient_quota");
        assertEquals(3, upstream.requestCount(), "600 of 500 tokens used: no more calls today");
        assertEquals(1, limited(p, "key", "quota_" + period));
        // Another key is not touched by this one's quota.
        assertEquals(200, chat(p, LimitsYaml.KEY).statusCode());
    }

    @Test
    void perIpRpmHoldsAcrossKeysAndTheHeadersShowTheTightestLimit() throws Exception {
        ProxyHarness p = proxy("  per_ip: {rpm: 3}\n  key_defaults: {rpm: 10}\n");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat(p, i % 2 == 0 ? LimitsYaml.KEY : LimitsYaml.OTHER_KEY);
            assertEquals(200, r.statusCode(), r.body());
            // Key: 10 − its own count left; IP: 3 − (i + 1), always the fewer.
            RateLimitAnswers.Shown requests = shown(r, "requests");
            assertEquals(3, requests.limit(), r.headers().map().toString());
            assertEquals(2 - i, requests.remaining());
        }
        for (String key : List.of(LimitsYaml.KEY, LimitsYaml.OTHER_KEY)) {
            HttpResponse<String> refused = chat(p, key);
            assertRefused(refused, "requests", "rate_limit_exceeded");
            assertEquals(3, shown(refused, "requests").limit());
        }
        assertEquals(3, upstream.requestCount());
        assertEquals(2, limited(p, "ip", "rpm"));
        assertEquals(0, limited(p, "key", "rpm"));
    }

    @Test
    void globalRpmHoldsAcrossKeys() throws Exception {
        ProxyHarness p = proxy("  global: {rpm: 4}\n");
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = chat(p, i % 2 == 0 ? LimitsYaml.KEY : LimitsYaml.OTHER_KEY);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(4, shown(r, "requests").limit());
        }
        for (String key : List.of(LimitsYaml.KEY, LimitsYaml.OTHER_KEY)) {
            assertRefused(chat(p, key), "requests", "rate_limit_exceeded");
        }
        assertEquals(4, upstream.requestCount());
        assertEquals(2, limited(p, "global", "rpm"));
    }
}
