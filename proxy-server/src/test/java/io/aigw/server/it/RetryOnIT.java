package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import io.aigw.server.testing.VirtualTime;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Which failures of an upstream attempt are tried again (retry rounds and failover alike), counted
 * by the calls the hostile mock saw. A request the provider may already be running (a timeout, a cut
 * after the request was written) is sent once unless the route's {@code retry_on} opts in; a failure
 * that would only repeat (an answer over the size limit, a 101 or malformed HTTP) is never retried
 * and answers 502 at once.
 */
class RetryOnIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";
    static final String CUT_MID_BODY =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":\"chat";
    static final String SWITCHING =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    static final String MALFORMED = "HTTP/1.1 2x0 Whatever\r\nContent-Length: 2\r\n\r\nok";
    static final String BIG = "{\"id\":\"" + "x".repeat(4096) + "\"}";

    /** One provider, a single deployment, two retry rounds (waits on the virtual clock). */
    private static ProxyHarness single(TestUpstream p, String retryOn, VirtualTime time) throws Exception {
        return ProxyHarness.startYaml(
                """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  p:
                    type: openai
                    base_url: "%s"
                    first_byte_timeout_ms: 300
                    max_response_bytes: 1024
                models:
                  m:
                    retries: {count: 2}
                %s    providers: {p: {}}
                """.formatted(ProxyHarness.KEY, p.baseUrl(), retryOn == null ? "" : "    retry_on: " + retryOn + "\n"),
                time);
    }

    /** A primary and a backup; no retry rounds, so the backup's calls count failovers only. */
    private static ProxyHarness pair(TestUpstream primary, TestUpstream backup, String retryOn) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  primary: {type: openai, base_url: "%s", first_byte_timeout_ms: 10000, max_response_bytes: 1024}
                  backup: {type: openai, base_url: "%s"}
                models:
                  m:
                    retries: {count: 0}
                %s    providers:
                      primary: {priority: 0}
                      backup: {priority: 1}
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        primary.baseUrl(),
                        backup.baseUrl(),
                        retryOn == null ? "" : "    retry_on: " + retryOn + "\n"));
    }

    private static final String ALL = "[connect_error, status, timeout, cut]";

    private record Seen(int status, String code, int calls) {}

    private static Seen run(Supplier<Reply> failure, String retryOn) throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = single(p, retryOn, time)) {
            p.setDefault(req -> failure.get());
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            String code = r.statusCode() == 200
                    ? null
                    : ErrorShape.json(r.body()).get("error").get("code").asText();
            // A reset reads as upstream_connection_error, an orderly close as ..._closed: both are cuts.
            code = code != null && code.startsWith("upstream_connection_") ? "upstream_connection_*" : code;
            return new Seen(r.statusCode(), code, p.requestCount());
        }
    }

    // ---- timeout: no first byte within first_byte_timeout after the request was written ----------

    @Test
    void aTimeoutIsNotRetriedByDefault() throws Exception {
        assertEquals(new Seen(504, "upstream_timeout", 1), run(Reply::hang, null));
    }

    @Test
    void aTimeoutIsRetriedWhenTheRouteOptsIn() throws Exception {
        assertEquals(new Seen(504, "upstream_timeout", 3), run(Reply::hang, "[connect_error, status, timeout]"));
    }

    // ---- cut: closed after the request was written, before the answer was complete ---------------

    @Test
    void aResetAfterTheRequestWasWrittenIsNotRetriedByDefault() throws Exception {
        assertEquals(new Seen(502, "upstream_connection_*", 1), run(Reply::closeImmediately, null));
    }

    @Test
    void aCutMidBodyIsNotRetriedByDefault() throws Exception {
        assertEquals(new Seen(502, "upstream_connection_*", 1), run(() -> Reply.raw(CUT_MID_BODY, true), null));
    }

    @Test
    void aCutIsRetriedWhenTheRouteOptsIn() throws Exception {
        assertEquals(new Seen(502, "upstream_connection_*", 3), run(Reply::closeImmediately, "[cut]"));
        assertEquals(new Seen(502, "upstream_connection_*", 3), run(() -> Reply.raw(CUT_MID_BODY, true), "[cut]"));
    }

    // ---- too_large and protocol: never retried, whatever retry_on says -------------------------

    @Test
    void anAnswerOverTheSizeLimitIsNeverRetried() throws Exception {
        assertEquals(new Seen(502, "upstream_response_too_large", 1), run(() -> Reply.json(200, BIG), null));
        assertEquals(new Seen(502, "upstream_response_too_large", 1), run(() -> Reply.json(200, BIG), ALL));
        assertEquals(
                new Seen(502, "upstream_response_too_large", 1),
                run(
                        () -> Reply.raw(
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + "y".repeat(2048)
                                        + "\r\n0\r\n\r\n",
                                false),
                        ALL),
                "a chunked answer without a Content-Length too");
    }

    @Test
    void aSwitchingProtocolsAnswerFailsAtOnceAndIsNeverRetried() throws Exception {
        assertEquals(new Seen(502, "upstream_protocol_error", 1), run(() -> Reply.raw(SWITCHING, false), null));
        assertEquals(new Seen(502, "upstream_protocol_error", 1), run(() -> Reply.raw(SWITCHING, false), ALL));
    }

    @Test
    void malformedHttpIsNeverRetried() throws Exception {
        assertEquals(new Seen(502, "upstream_protocol_error", 1), run(() -> Reply.raw(MALFORMED, false), ALL));
    }

    // ---- failover follows retry_on too -----------------------------------------------------------

    @Test
    void aCutDoesNotFailOverByDefaultButDoesWhenOptedIn() throws Exception {
        for (String retryOn : new String[] {null, "[connect_error, status, cut]"}) {
            try (TestUpstream primary = TestUpstream.start();
                    TestUpstream backup = TestUpstream.start();
                    ProxyHarness proxy = pair(primary, backup, retryOn)) {
                primary.setDefault(req -> Reply.closeImmediately());
                backup.setDefault(req -> Reply.json(200, OK));
                HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
                assertEquals(1, primary.requestCount());
                if (retryOn == null) {
                    assertEquals(502, r.statusCode(), r.body());
                    assertTrue(r.body().contains("\"upstream_connection_"), r.body());
                    assertEquals(0, backup.requestCount(), "no duplicate spend unless asked");
                } else {
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals(1, backup.requestCount());
                }
            }
        }
    }

    @Test
    void aSwitchingProtocolsAnswerFailsQuicklyWithoutFailoverAndCountsAgainstTheBreaker() throws Exception {
        try (TestUpstream primary = TestUpstream.start();
                TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = pair(primary, backup, ALL)) {
            primary.setDefault(req -> Reply.raw(SWITCHING, false));
            backup.setDefault(req -> Reply.json(200, OK));
            long start = System.nanoTime();
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(502, r.statusCode(), r.body());
            assertError(r.body(), "api_error", "upstream_protocol_error", null);
            assertTrue(tookMs < 5_000, "not after the 10 s first-byte timeout: " + tookMs + " ms");
            assertEquals(1, primary.requestCount());
            assertEquals(0, backup.requestCount(), "a protocol violation does not fail over");
            assertEquals(1, primaryFailures(proxy), "a breaker failure of the primary");

            primary.setDefault(req -> Reply.json(200, BIG));
            assertEquals(502, proxy.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(0, backup.requestCount(), "neither does an answer over the size limit");
            assertEquals(2, primaryFailures(proxy));
        }
    }

    private static int primaryFailures(ProxyHarness proxy) throws Exception {
        HttpResponse<String> r = proxy.adminGet("/admin/providers");
        for (JsonNode p : new ObjectMapper().readTree(r.body()).get("providers")) {
            if (p.get("name").asText().equals("primary")) {
                return p.get("deployments").get(0).get("consecutive_failures").asInt();
            }
        }
        throw new AssertionError(r.body());
    }
}
