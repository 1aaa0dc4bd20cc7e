package io.aigw.server.limits;

import static io.aigw.server.limits.RateLimitAnswers.assertRefused;
import static io.aigw.server.limits.RateLimitAnswers.metric;
import static io.aigw.server.limits.RateLimitAnswers.shown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.it.ProxyHarness;
import io.aigw.server.metrics.Scrape;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestRedis;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A key limited to 2,000 tokens a minute, streamed answers of known usage (30 prompt + 170 completion,
 * in the final chunk), on the local store and on Redis. A request is admitted against its estimate
 * ({@code ceil(body bytes / 4)} plus {@code max_tokens} or {@code default_max_tokens}) and corrected to
 * its real usage when the stream ends, so:
 *
 * <ul>
 *   <li>when estimates cover usage, the real tokens admitted within the minute stay within 2,000 (plus
 *       what the limit refills meanwhile, 2,000 / 60 s), and the corrections give the over-estimate back
 *       (more requests get in than estimates alone would let);
 *   <li>when usage exceeds the estimate, a burst of C concurrent streams overshoots by at most
 *       C × (usage − estimate), and that debt is charged: the next request waits until it is repaid.
 * </ul>
 */
class TokensPerMinuteIT {
    static final long TPM = 2000;
    static final long USAGE = 200;
    static final int BURST = 30;
    /** Per token at 2,000 a minute. */
    static final double MS_PER_TOKEN = 60_000.0 / TPM;

    static final String CHUNK = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}";
    static final String STOP = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    static final String USAGE_CHUNK =
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":170,\"total_tokens\":200}}";

    @TempDir
    Path dir;

    private static TestRedis redisFor(String store) {
        return "redis".equals(store) ? TestRedis.require() : null;
    }

    /** Streams of known usage, each held a while so a burst's streams are all in flight together. */
    private static TestUpstream upstream(Duration hold) {
        TestUpstream upstream = TestUpstream.start();
        upstream.setDefault(r -> Reply.delayed(hold, Reply.sse(List.of(CHUNK, STOP, USAGE_CHUNK))));
        return upstream;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"local", "redis"})
    void estimatesCoveringUsageKeepTheMinuteWithinTheLimitAndCorrectionsGiveTheRestBack(String store) throws Exception {
        try (TestRedis redis = redisFor(store);
                TestUpstream upstream = upstream(Duration.ofMillis(300));
                ProxyHarness proxy = ProxyHarness.startYaml(LimitsYaml.yaml(
                        dir, upstream, LimitsYaml.store(redis) + "  key_defaults: {tpm: " + TPM + "}\n"))) {
            String body = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":400,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me something\"}]}";
            long estimate = estimate(body, 400);
            assertTrue(estimate >= USAGE, "the estimate covers the usage");

            long start = System.nanoTime();
            List<HttpResponse<String>> burst = burst(proxy, body, BURST);
            long burstMs = (System.nanoTime() - start) / 1_000_000;
            List<HttpResponse<String>> all = new ArrayList<>(burst);
            for (int i = 0; i < 20; i++) {
                all.add(proxy.send(chat(proxy, body)));
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            int burstAdmitted = admitted(burst);
            int admitted = admitted(all);
            long refill = (long) Math.ceil(elapsedMs / MS_PER_TOKEN);
            System.out.printf(
                    "TokensPerMinuteIT[%s]: estimate %d, burst %d of %d admitted in %d ms; %d of %d in %d ms%n",
                    store, estimate, burstAdmitted, BURST, burstMs, admitted, all.size(), elapsedMs);
            // Admission on estimates: the burst's streams were in flight together, uncorrected.
            long burstRefill = (long) Math.ceil(burstMs / MS_PER_TOKEN);
            assertTrue(burstAdmitted >= 1 && burstAdmitted <= (TPM + burstRefill) / estimate, "burst " + burstAdmitted);
            assertTrue(
                    admitted * USAGE <= TPM + refill,
                    admitted + " × " + USAGE + " real tokens admitted; bound " + TPM + " + " + refill + " refilled");
            assertTrue(
                    admitted > TPM / estimate,
                    admitted + " admitted: the corrections gave back nothing (estimate-only allows " + (TPM / estimate)
                            + ")");
            assertEquals(admitted, upstream.requestCount(), "only admitted requests reach the provider");
            for (HttpResponse<String> r : all) {
                RateLimitAnswers.Shown tokens = shown(r, "tokens");
                assertEquals(TPM, tokens.limit());
                if (r.statusCode() != 200) {
                    assertRefused(r, "tokens", "rate_limit_exceeded");
                    assertTrue(tokens.remaining() < estimate, "refused with " + tokens.remaining() + " remaining");
                } else {
                    assertTrue(r.body().contains("data: [DONE]"), r.body());
                }
            }
            Scrape s = new Scrape(proxy.call("GET", "/metrics", null).body());
            assertEquals(
                    all.size() - admitted,
                    metric(s, "aigw_ratelimit_limited_total", Map.of("scope", "key", "reason", "tpm")),
                    s.text());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"local", "redis"})
    void usageBeyondTheEstimateOvershootsAtMostTheBurstsShortfallAndIsChargedAfterwards(String store) throws Exception {
        try (TestRedis redis = redisFor(store);
                TestUpstream upstream = upstream(Duration.ofMillis(500));
                ProxyHarness proxy = ProxyHarness.startYaml(LimitsYaml.yaml(
                        dir,
                        upstream,
                        LimitsYaml.store(redis) + "  key_defaults: {tpm: " + TPM + "}\n  default_max_tokens: 10\n"))) {
            String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            long estimate = estimate(body, 10);
            assertTrue(estimate < USAGE && BURST * estimate <= TPM, "every stream of the burst fits its estimate");

            long start = System.nanoTime();
            List<HttpResponse<String>> burst = burst(proxy, body, BURST);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            int admitted = admitted(burst);
            long real = admitted * USAGE;
            long refill = (long) Math.ceil(elapsedMs / MS_PER_TOKEN);
            System.out.printf(
                    "TokensPerMinuteIT[%s]: estimate %d, %d of %d admitted (%d real tokens) in %d ms%n",
                    store, estimate, admitted, BURST, real, elapsedMs);
            assertTrue(real > TPM, "the burst overshoots (the case under test): " + real);
            // The bound the README states: C in flight, each under-estimated by (usage − estimate).
            assertTrue(
                    real - TPM <= BURST * (USAGE - estimate) + refill,
                    "overshoot " + (real - TPM) + " > " + BURST + " × (" + USAGE + " − " + estimate + ")");
            assertEquals(admitted, upstream.requestCount());

            // The corrections land as the exchanges complete, just after the client's last byte.
            Thread.sleep(300);
            HttpResponse<String> next = proxy.send(chat(proxy, body));
            long retryMs = assertRefused(next, "tokens", "rate_limit_exceeded");
            assertEquals(0, shown(next, "tokens").remaining());
            // The debt beyond the limit is charged: the wait is for all of it to drain, not about one
            // estimate's worth (which a debt capped at the limit would give).
            long sinceMs = (System.nanoTime() - start) / 1_000_000;
            double owedMs = (real + estimate - TPM) * MS_PER_TOKEN - sinceMs;
            assertTrue(
                    retryMs >= owedMs - 1000 && retryMs <= owedMs + elapsedMs + 1000,
                    "retry-after-ms " + retryMs + ", owed ≈ " + (long) owedMs + " ms");
            assertEquals(admitted, upstream.requestCount(), "the refused request never reached the provider");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"local", "redis"})
    void aFailedExchangeGivesItsEstimateBack(String store) throws Exception {
        try (TestRedis redis = redisFor(store);
                TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(LimitsYaml.yaml(
                        dir, upstream, LimitsYaml.store(redis) + "  key_defaults: {tpm: " + TPM + "}\n"))) {
            upstream.setDefault(
                    r -> Reply.json(500, "{\"error\":{\"message\":\"down\",\"type\":\"server_error\",\"code\":null}}"));
            String body = "{\"model\":\"m\",\"max_tokens\":900,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            long estimate = estimate(body, 900);
            assertTrue(3 * estimate > TPM, "without the give-back the third request would be refused");
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = proxy.send(chat(proxy, body));
                assertTrue(r.statusCode() >= 500, "request " + i + ": " + r.statusCode() + " " + r.body());
                // An error answer is an answer under the limit too.
                RateLimitAnswers.Shown tokens = shown(r, "tokens");
                assertEquals(TPM, tokens.limit());
                assertTrue(tokens.remaining() >= TPM - estimate - 100, "remaining " + tokens.remaining());
                // The give-back lands as the exchange completes, a moment after the answer (batched for Redis).
                Thread.sleep(100);
            }
            assertEquals(6, upstream.requestCount());
        }
    }

    /**
     * The estimate a request is admitted against, read back from {@code x-ratelimit-remaining-tokens} on a
     * fresh limit: {@code max_tokens}, else {@code max_completion_tokens}, else {@code default_max_tokens},
     * plus a quarter of the body's bytes.
     */
    @Test
    void theEstimateIsAQuarterOfTheBodyPlusTheOutputAllowance() throws Exception {
        try (TestUpstream upstream = upstream(Duration.ZERO);
                ProxyHarness proxy = ProxyHarness.startYaml(
                        LimitsYaml.yaml(dir, upstream, "  store: local\n  default_max_tokens: 300\n"))) {
            String[][] cases = {
                {"\"max_tokens\":700,", "700"},
                {"\"max_completion_tokens\":900,", "900"},
                {"\"max_completion_tokens\":900,\"max_tokens\":600,", "600"},
                {"", "300"},
            };
            for (String[] c : cases) {
                String body = "{\"model\":\"m\",\"stream\":true," + c[0]
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"how many tokens is this?\"}]}";
                // A database key of its own per case: a fresh limit, so remaining = limit − this estimate.
                HttpResponse<String> made = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/admin/keys")))
                        .header("Authorization", "Bearer " + LimitsYaml.ADMIN_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"e\",\"tpm\":" + TPM + "}"))
                        .build());
                assertEquals(201, made.statusCode(), made.body());
                String key = new ObjectMapper().readTree(made.body()).get("key").asText();
                HttpResponse<String> r =
                        proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                                .header("Authorization", "Bearer " + key)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build());
                assertEquals(200, r.statusCode(), r.body());
                long estimate = estimate(body, Long.parseLong(c[1]));
                assertEquals(TPM - estimate, shown(r, "tokens").remaining(), body);
            }
        }
    }

    /** What the contract estimates: a quarter of the body's bytes, rounded up, plus the output tokens. */
    private static long estimate(String body, long maxTokens) {
        return (body.getBytes(StandardCharsets.UTF_8).length + 3) / 4 + maxTokens;
    }

    private static int admitted(List<HttpResponse<String>> answers) {
        int n = 0;
        for (HttpResponse<String> r : answers) {
            assertTrue(r.statusCode() == 200 || r.statusCode() == 429, r.statusCode() + " " + r.body());
            n += r.statusCode() == 200 ? 1 : 0;
        }
        return n;
    }

    private static HttpRequest chat(ProxyHarness proxy, String body) {
        return HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + LimitsYaml.KEY)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** {@code n} requests at once, each on its own connection. */
    private static List<HttpResponse<String>> burst(ProxyHarness proxy, String body, int n) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(clients.submit(() -> {
                    go.await();
                    return proxy.send(chat(proxy, body));
                }));
            }
            go.countDown();
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> f : answers) {
                out.add(f.get(30, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
