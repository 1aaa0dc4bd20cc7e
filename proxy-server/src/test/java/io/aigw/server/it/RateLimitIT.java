package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limiter on the request path with this process's own store: a limited request is answered 429 in
 * OpenAI's shape with its retry hints and never reaches the provider; every answer under a limit carries
 * the {@code x-ratelimit-*} headers; the token estimate is corrected by the real usage.
 */
class RateLimitIT {
    static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,\"total_tokens\":8}}";
    static final String CHAT =
            "{\"model\":\"gpt-4o\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;

    private TestUpstream upstream;
    private ProxyHarness proxy;

    @BeforeEach
    void start() {
        upstream = TestUpstream.start();
        upstream.setDefault(r -> Reply.json(200, OK));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    private ProxyHarness proxy(String limits) throws Exception {
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                data_dir: "%s"
                keys: {store: off}
                request_log: {store: off}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  gpt-4o: {retries: {count: 0}, providers: {mock: {model_id: gpt-4o}}}
                limits: %s
                """.formatted(ProxyHarness.KEY, dir, upstream.baseUrl(), limits));
        return proxy;
    }

    @Test
    void requestsPerMinuteRefusedBeforeTheProviderWithOpenAiHeaders() throws Exception {
        proxy("{key_defaults: {rpm: 3}}");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("3", header(ok, "x-ratelimit-limit-requests"));
            assertEquals(Integer.toString(2 - i), header(ok, "x-ratelimit-remaining-requests"));
            assertTrue(
                    header(ok, "x-ratelimit-reset-requests").matches("[0-9.]+m?s|[0-9]+m[0-9.]+s"),
                    ok.headers().map().toString());
            assertFalse(ok.headers().firstValue("x-ratelimit-limit-tokens").isPresent(), "no token limit set");
        }
        HttpResponse<String> refused = proxy.post("/v1/chat/completions", CHAT);
        assertEquals(429, refused.statusCode());
        assertError(refused.body(), "requests", "rate_limit_exceeded", null);
        assertEquals("0", header(refused, "x-ratelimit-remaining-requests"));
        long retryAfter = Long.parseLong(header(refused, "retry-after"));
        long retryAfterMs = Long.parseLong(header(refused, "retry-after-ms"));
        // 3 per minute refill one every 20 s.
        assertTrue(retryAfter >= 1 && retryAfter <= 20, "retry-after " + retryAfter);
        assertTrue(retryAfterMs > 0 && retryAfterMs <= 20_000, "retry-after-ms " + retryAfterMs);
        assertEquals(3, upstream.requestCount(), "the refused request never reached the provider");
        assertFalse(proxy.get("/readyz").body().contains("limits"), "a local store has nothing to report");
    }

    @Test
    void tokensAreAdmittedAgainstTheEstimateAndCorrectedByTheUsage() throws Exception {
        // Each request is estimated at ceil(body / 4) + 50 (its max_tokens) ≈ 71 tokens and uses 8: without
        // the corrections, 300 tokens admit 4; with them, every request gives back ~63 and many more fit.
        proxy("{key_defaults: {tpm: 300}}");
        int ok = 0;
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            if (r.statusCode() == 200) {
                ok++;
                assertEquals("300", header(r, "x-ratelimit-limit-tokens"));
            } else {
                assertEquals(429, r.statusCode(), r.body());
                assertError(r.body(), "tokens", "rate_limit_exceeded", null);
            }
        }
        assertTrue(ok >= 10, "corrections gave the over-estimate back: " + ok + " admitted");
        assertEquals(ok, upstream.requestCount());
    }

    @Test
    void globalAndPerAddressLimitsApplyToEveryKey() throws Exception {
        proxy("{global: {rpm: 2}, per_ip: {rpm: 5}}");
        assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
        HttpResponse<String> second = proxy.post("/v1/chat/completions", CHAT);
        assertEquals(200, second.statusCode());
        // The tightest of the two is shown: the global one, with nothing left.
        assertEquals("2", header(second, "x-ratelimit-limit-requests"));
        assertEquals("0", header(second, "x-ratelimit-remaining-requests"));
        HttpResponse<String> refused = proxy.post("/v1/chat/completions", CHAT);
        assertEquals(429, refused.statusCode());
        assertTrue(refused.body().contains("this gateway"), refused.body());
        assertEquals(2, upstream.requestCount());
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + ": " + r.headers()));
    }
}
