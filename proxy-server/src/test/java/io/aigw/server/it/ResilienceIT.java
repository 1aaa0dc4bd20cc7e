package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import io.aigw.server.testing.VirtualTime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The resilience scenarios of routing through the real server, counting the calls each mock
 * provider saw: retries with backoff and Retry-After (on a virtual clock, so a minute's wait takes
 * no time), the breaker's whole cycle, key rotation, cooldown and removal, the weighted split, the
 * request's deadline, and a stuck provider abandoned at the first-byte timeout.
 */
class ResilienceIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";
    static final String BUSY =
            "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"param\":null,\"code\":null}}";
    static final String LIMITED =
            "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":null}}";

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private static String head(String providersYaml, String modelYaml) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                %s
                models:
                  m:
                %s
                """.formatted(
                        ProxyHarness.KEY,
                        providersYaml.indent(2).stripTrailing(),
                        modelYaml.indent(4).stripTrailing());
    }

    // ---- retries -------------------------------------------------------------------------------

    @Test
    void twoRetriesAreThreeUpstreamCallsWithJitteredBackoffBetween() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("p: {type: openai, base_url: \"" + p.baseUrl() + "\"}", """
                     retries: {count: 2, backoff_ms: 100, max_backoff_ms: 5000}
                     providers: {p: {}}"""), time)) {
            p.enqueue(Reply.json(500, BUSY));
            p.enqueue(Reply.json(502, BUSY));
            p.enqueue(Reply.json(200, OK));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(OK, r.body());
            assertEquals(3, p.requestCount());
            assertEquals("3", header(r, "x-proxy-attempts"));
            List<Duration> waits = time.waits();
            assertEquals(2, waits.size(), waits.toString());
            assertTrue(waits.get(0).toMillis() <= 100, "first backoff at most the base: " + waits);
            assertTrue(waits.get(1).toMillis() <= 200, "second at most twice the base: " + waits);
            // Every attempt replays the same body, not a re-read of the client.
            String first = p.takeRequest(Duration.ofSeconds(1)).bodyUtf8();
            assertEquals(first, p.takeRequest(Duration.ofSeconds(1)).bodyUtf8());
            assertEquals(first, p.takeRequest(Duration.ofSeconds(1)).bodyUtf8());
        }
    }

    @Test
    void whenRetriesRunOutTheProvidersOwnErrorComesBack() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("p: {type: openai, base_url: \"" + p.baseUrl() + "\"}", """
                     retries: {count: 2}
                     providers: {p: {}}"""), time)) {
            p.setDefault(req -> Reply.json(503, BUSY));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(503, r.statusCode());
            assertEquals(BUSY, r.body());
            assertEquals(3, p.requestCount());
            assertEquals("3", header(r, "x-proxy-attempts"));
        }
    }

    @Test
    void aRetryAfterIsWaitedExactlyOnTheVirtualClock() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("p: {type: openai, base_url: \"" + p.baseUrl() + "\"}", """
                     retries: {count: 2, retry_after_cap_ms: 60000}
                     providers: {p: {}}"""), time)) {
            p.enqueue(Reply.json(429, LIMITED, Map.of("retry-after", "7")));
            p.enqueue(Reply.json(429, LIMITED, Map.of("retry-after-ms", "1500")));
            p.enqueue(Reply.json(200, OK));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(3, p.requestCount());
            assertEquals(
                    List.of(Duration.ofSeconds(7), Duration.ofMillis(1500)),
                    time.waits(),
                    "Retry-After in seconds, then retry-after-ms, each waited as asked");
        }
    }

    @Test
    void aRetryAfterBeyondTheCapIsNotWaitedForAndTheAnswerComesBackAtOnce() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("p: {type: openai, base_url: \"" + p.baseUrl() + "\"}", """
                     retries: {count: 2, retry_after_cap_ms: 30000}
                     providers: {p: {}}"""), time)) {
            p.enqueue(Reply.json(429, LIMITED, Map.of("retry-after", "120")));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(429, r.statusCode());
            assertEquals("120", header(r, "retry-after"), "the client learns when to come back");
            assertEquals(1, p.requestCount());
            assertEquals(List.of(), time.waits());
        }
    }

    @Test
    void aRetryWaitNeverRunsPastTheRequestsDeadline() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("p: {type: openai, base_url: \"" + p.baseUrl() + "\"}", """
                     retries: {count: 2, retry_after_cap_ms: 60000}
                     timeout_ms: 2000
                     providers: {p: {}}"""), time)) {
            p.enqueue(Reply.json(429, LIMITED, Map.of("retry-after", "5")));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(429, r.statusCode(), "a 5 s wait would end after the 2 s deadline");
            assertEquals(1, p.requestCount());
            assertEquals(List.of(), time.waits());
        }
    }

    @Test
    void aRateLimitFailsOverToAnotherDeploymentWithoutWaiting() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml(head("""
                     primary: {type: openai, base_url: "%s"}
                     backup: {type: openai, base_url: "%s"}""".formatted(primary.baseUrl(), backup.baseUrl()), """
                     providers:
                       primary: {priority: 0}
                       backup: {priority: 1}"""), time)) {
            backup.setDefault(req -> Reply.json(200, OK));
            primary.setDefault(req -> Reply.json(200, OK));
            primary.enqueue(Reply.json(429, LIMITED, Map.of("retry-after", "30")));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode());
            assertEquals("backup", header(r, "x-proxy-provider"));
            assertEquals(List.of(), time.waits(), "another deployment answers at once");
            assertEquals(
                    "backup",
                    header(proxy.post("/v1/chat/completions", CHAT), "x-proxy-provider"),
                    "the primary cools for its Retry-After");
            time.advance(Duration.ofSeconds(31));
            assertEquals("primary", header(proxy.post("/v1/chat/completions", CHAT), "x-proxy-provider"));
            assertEquals(2, primary.requestCount());
        }
    }

    // ---- the breaker's cycle -------------------------------------------------------------------

    @Test
    void theBreakerOpensAfterThreeSkipsHalfOpensAfterTheCooldownAndClosesOnSuccess() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml(head("""
                     primary: {type: openai, base_url: "%s", breaker: {failures: 3, cooldown_ms: 600000}}
                     backup: {type: openai, base_url: "%s"}""".formatted(primary.baseUrl(), backup.baseUrl()), """
                     retries: {count: 0}
                     providers:
                       primary: {priority: 0}
                       backup: {priority: 1}"""), time)) {
            backup.setDefault(req -> Reply.json(200, OK));
            primary.setDefault(req -> Reply.json(500, BUSY));
            for (int i = 0; i < 3; i++) {
                assertEquals("2", header(proxy.post("/v1/chat/completions", CHAT), "x-proxy-attempts"));
            }
            assertEquals(3, primary.requestCount());
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
                assertEquals("1", header(r, "x-proxy-attempts"), "open: the primary is skipped");
                assertEquals("backup", header(r, "x-proxy-provider"));
            }
            assertEquals(3, primary.requestCount());

            // Half-open after the cooldown: one probe, which fails and reopens it.
            time.advance(Duration.ofSeconds(600));
            assertEquals("2", header(proxy.post("/v1/chat/completions", CHAT), "x-proxy-attempts"));
            assertEquals(4, primary.requestCount());
            assertEquals("1", header(proxy.post("/v1/chat/completions", CHAT), "x-proxy-attempts"), "reopened");
            assertEquals(4, primary.requestCount());

            // The next probe succeeds and closes it: the primary takes the traffic again.
            time.advance(Duration.ofSeconds(600));
            primary.setDefault(req -> Reply.json(200, OK));
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
                assertEquals("primary", header(r, "x-proxy-provider"));
                assertEquals("1", header(r, "x-proxy-attempts"));
            }
            assertEquals(7, primary.requestCount());
        }
    }

    // ---- key pools -----------------------------------------------------------------------------

    private static ProxyHarness keyed(TestUpstream p, VirtualTime time, String strategy) throws Exception {
        return ProxyHarness.startYaml(head("""
                p:
                  type: openai
                  base_url: "%s"
                  api_keys: ["sk-key-one", "sk-key-two"]
                  key_strategy: %s""".formatted(p.baseUrl(), strategy), """
                retries: {count: 0}
                providers: {p: {}}"""), time);
    }

    private static List<String> keysSeen(TestUpstream p, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordedRequest req = p.takeRequest(Duration.ofSeconds(2));
            keys.add(req.header("authorization").substring("Bearer ".length()));
        }
        return keys;
    }

    @Test
    void roundRobinKeysTakeTurns() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = keyed(p, time, "round_robin")) {
            p.setDefault(req -> Reply.json(200, OK));
            for (int i = 0; i < 4; i++) {
                assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
            }
            List<String> keys = keysSeen(p, 4);
            assertEquals(2, keys.stream().filter("sk-key-one"::equals).count(), keys.toString());
            assertEquals(2, keys.stream().filter("sk-key-two"::equals).count(), keys.toString());
            assertTrue(!keys.get(0).equals(keys.get(1)) && !keys.get(2).equals(keys.get(3)), keys.toString());
        }
    }

    @Test
    void aRateLimitedKeyCoolsAloneAndTheRequestGoesOnWithTheOther() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = keyed(p, time, "priority")) {
            p.setDefault(
                    req -> req.header("authorization").equals("Bearer sk-key-one") && time.nanoTime() < limitedUntil[0]
                            ? Reply.json(429, LIMITED, Map.of("retry-after", "30"))
                            : Reply.json(200, OK));
            limitedUntil[0] = time.nanoTime() + Duration.ofSeconds(30).toNanos();
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("2", header(r, "x-proxy-attempts"), "the same deployment, with the second key");
            assertEquals(List.of("sk-key-one", "sk-key-two"), keysSeen(p, 2));
            for (int i = 0; i < 3; i++) {
                assertEquals("1", header(proxy.post("/v1/chat/completions", CHAT), "x-proxy-attempts"));
            }
            assertEquals(List.of("sk-key-two", "sk-key-two", "sk-key-two"), keysSeen(p, 3), "key one is cooling");
            time.advance(Duration.ofSeconds(31));
            assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(List.of("sk-key-one"), keysSeen(p, 1), "back in after its Retry-After");
        }
    }

    private final long[] limitedUntil = {0};

    @Test
    void aRejectedKeyIsTakenOutAndTheOtherCarriesOn() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = keyed(p, time, "round_robin")) {
            p.setDefault(req -> req.header("authorization").equals("Bearer sk-key-one")
                    ? Reply.json(
                            401,
                            "{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}")
                    : Reply.json(200, OK));
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
                assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
            }
            assertEquals(7, p.requestCount(), "key one was tried once, then never again");
            time.advance(Duration.ofDays(1));
            assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(8, p.requestCount(), "a removed key stays out until an operator resets it");
        }
    }

    @Test
    void whenEveryKeyIsRejectedTheLastIsKeptAndTheProvidersAnswerComesBack() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = keyed(p, time, "round_robin")) {
            String rejected =
                    "{\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
            p.setDefault(req -> Reply.json(401, rejected));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(401, r.statusCode());
            assertEquals(rejected, r.body());
            assertEquals(2, p.requestCount(), "the first key is taken out, the second tried");
            // The last usable key stays: a provider-wide 401 is reported as it is, not as 503s until a reset.
            HttpResponse<String> after = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(401, after.statusCode());
            assertEquals("1", header(after, "x-proxy-attempts"));
            assertEquals(3, p.requestCount());
            assertTrue(!after.body().contains("sk-key"), "no key in an error");
        }
    }

    // ---- weighted split ------------------------------------------------------------------------

    @Test
    void weightsSplitTheTrafficWithinTolerance() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start();
                TestUpstream c = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("""
                     a: {type: openai, base_url: "%s"}
                     b: {type: openai, base_url: "%s"}
                     c: {type: openai, base_url: "%s"}""".formatted(a.baseUrl(), b.baseUrl(), c.baseUrl()), """
                     providers:
                       a: {weight: 6}
                       b: {weight: 3}
                       c: {weight: 1}"""), new VirtualTime())) {
            for (TestUpstream u : List.of(a, b, c)) {
                u.setDefault(req -> Reply.json(200, OK));
            }
            int n = 1000;
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
                assertEquals(200, r.statusCode());
                seen.merge(header(r, "x-proxy-provider"), 1, Integer::sum);
            }
            // About four standard deviations of a binomial over 1,000 draws.
            assertShare(seen, "a", 0.6, 0.065, n);
            assertShare(seen, "b", 0.3, 0.06, n);
            assertShare(seen, "c", 0.1, 0.04, n);
            assertEquals(n, a.requestCount() + b.requestCount() + c.requestCount());
        }
    }

    private static void assertShare(Map<String, Integer> seen, String name, double expected, double tolerance, int n) {
        double share = seen.getOrDefault(name, 0) / (double) n;
        assertTrue(Math.abs(share - expected) <= tolerance, name + " got " + share + " of " + seen);
    }

    // ---- deadlines and stuck providers ---------------------------------------------------------

    @Test
    void aStuckProviderIsAbandonedAtTheFirstByteTimeoutAndTheNextAnswers() throws Exception {
        try (TestUpstream stuck = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("""
                     stuck: {type: openai, base_url: "%s", first_byte_timeout_ms: 300}
                     backup: {type: openai, base_url: "%s"}""".formatted(stuck.baseUrl(), backup.baseUrl()), """
                     retries: {count: 0}
                     retry_on: [connect_error, status, timeout]   # a timeout fails over only when asked
                     providers:
                       stuck: {priority: 0}
                       backup: {priority: 1}"""), new VirtualTime())) {
            stuck.setDefault(req -> Reply.hang());
            backup.setDefault(req -> Reply.json(200, OK));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("backup", header(r, "x-proxy-provider"));
            assertEquals("2", header(r, "x-proxy-attempts"));
            assertEquals(1, stuck.requestCount());
            assertTrue(
                    stuck.awaitConnectionClosed(Duration.ofSeconds(2)), "the stuck connection is closed, not reused");
        }
    }

    @Test
    void theRequestsDeadlineBoundsEveryAttemptTogether() throws Exception {
        try (TestUpstream one = TestUpstream.start();
                TestUpstream two = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("""
                     one: {type: openai, base_url: "%s", first_byte_timeout_ms: 20000}
                     two: {type: openai, base_url: "%s", first_byte_timeout_ms: 20000}""".formatted(one.baseUrl(), two.baseUrl()), """
                     retries: {count: 2}
                     timeout_ms: 600
                     providers:
                       one: {priority: 0}
                       two: {priority: 1}"""), new VirtualTime())) {
            one.setDefault(req -> Reply.hang());
            two.setDefault(req -> Reply.hang());
            long start = System.nanoTime();
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, r.statusCode(), r.body());
            assertError(r.body(), "api_error", "upstream_timeout", null);
            assertTrue(r.body().contains("deadline"), r.body());
            // Functional bound, not a performance one: far below one provider's own 20 s timeout.
            assertTrue(tookMs < 10_000, "answered after " + tookMs + " ms");
            assertEquals(1, one.requestCount());
            assertEquals(0, two.requestCount(), "nothing is started once the deadline has passed");
        }
    }

    // ---- streams -------------------------------------------------------------------------------

    @Test
    void aStreamThatFailsAfterItsFirstByteEndsWithAnErrorChunkAndIsNotFailedOver() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        head("""
                     primary: {type: openai, base_url: "%s"}
                     backup: {type: openai, base_url: "%s"}""".formatted(primary.baseUrl(), backup.baseUrl()), """
                     providers:
                       primary: {priority: 0}
                       backup: {priority: 1}"""), new VirtualTime())) {
            backup.setDefault(req -> Reply.json(200, OK));
            StreamScript script = new StreamScript();
            primary.enqueue(Reply.stream(script));
            HttpRequest req = HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                    .header("Authorization", "Bearer " + ProxyHarness.KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                    .build();
            HttpResponse<java.io.InputStream> r = proxy.http().send(req, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            script.send(
                    "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}");
            BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            assertTrue(reader.readLine().contains("\"hi\""));
            assertEquals("", reader.readLine());
            script.abort();
            String error = reader.readLine();
            assertTrue(error.startsWith("data: "), error);
            assertError(error.substring(6), "api_error", "upstream_connection_closed", null);
            assertEquals("", reader.readLine());
            assertEquals(null, reader.readLine());
            assertEquals(0, backup.requestCount(), "after the first byte there is no failover");
        }
    }
}
