package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failing scenarios found in review of the routing-resilience and request-log change. */
class ReviewFindingsIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";
    static final String LIMITED =
            "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":null}}";

    @TempDir
    Path dir;

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The first deployment refuses the connection, the second answers 200: the client never hears of
     * the first failure, so the row must not carry it as its error (Exchange.failed is documented as
     * "an error the client was told about").
     */
    @Test
    void aFailedOverTransportErrorIsNotTheErrorOfASuccessfulRow() throws Exception {
        Path db = dir.resolve("r.db");
        try (TestUpstream backup = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        """
                     server: {host: 127.0.0.1, port: 0}
                     auth: {api_keys: ["%s"]}
                     providers:
                       dead: {type: openai, base_url: "http://127.0.0.1:%d"}
                       backup: {type: openai, base_url: "%s"}
                     models:
                       m:
                         retries: {count: 0}
                         providers:
                           dead: {priority: 0}
                           backup: {priority: 1}
                     request_log:
                       store: sqlite
                       sqlite: {path: "%s"}
                       flush_interval_ms: 20
                       spill_dir: "%s"
                     """.formatted(ProxyHarness.KEY, closedPort(), backup.baseUrl(), db, dir.resolve("spill")))) {
            backup.setDefault(req -> Reply.json(200, OK));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("2", r.headers().firstValue("x-proxy-attempts").orElse(null));
            List<Map<String, Object>> rows =
                    RequestLogIT.awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 1);
            Map<String, Object> row = rows.get(0);
            assertEquals(200, RequestLogIT.number(row.get("status_code")));
            assertEquals(2, RequestLogIT.number(row.get("attempts")));
            assertNull(row.get("error"), "the client got a clean 200, yet the row says: " + row.get("error"));
        }
    }

    /**
     * Both keys of the only deployment answer 429 with a tiny retry-after-ms. Each key fault sends the
     * request to the same deployment with the other key, and such re-tries count against nothing but the
     * deadline: the two keys ping-pong until the route's timeout, one upstream call every few ms.
     * With retries: {count: 0}, two calls (one per key) is the most that should be made.
     */
    @Test
    void rateLimitedKeysDoNotPingPongUntilTheDeadline() throws Exception {
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml("""
                     server: {host: 127.0.0.1, port: 0}
                     auth: {api_keys: ["%s"]}
                     providers:
                       p:
                         type: openai
                         base_url: "%s"
                         api_keys: ["sk-key-one", "sk-key-two"]
                         key_strategy: round_robin
                     models:
                       m:
                         retries: {count: 0}
                         timeout_ms: 1500
                         providers: {p: {}}
                     """.formatted(ProxyHarness.KEY, p.baseUrl()))) {
            p.setDefault(req ->
                    Reply.delayed(Duration.ofMillis(5), Reply.json(429, LIMITED, Map.of("retry-after-ms", "1"))));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertTrue(
                    p.requestCount() <= 2,
                    "upstream calls for one request with no retries: " + p.requestCount()
                            + " (answered " + r.statusCode() + ", x-proxy-attempts "
                            + r.headers().firstValue("x-proxy-attempts").orElse(null) + ")");
            assertEquals(429, r.statusCode(), r.body());
        }
    }

    /**
     * Ollama's last NDJSON line arrives without its newline: the stream translator still reads it at
     * the end (the client gets the finish and the usage it asked for), but the record took usage before
     * the translator's end, so the row has none.
     */
    @Test
    void aStreamsUsageFromItsUnterminatedLastLineReachesTheRow() throws Exception {
        Path db = dir.resolve("o.db");
        String head = "{\"model\":\"llama3\",\"created_at\":\"2025-10-17T23:14:07.414671Z\",";
        try (TestUpstream ollama = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        """
                     server: {host: 127.0.0.1, port: 0}
                     auth: {api_keys: ["%s"]}
                     providers:
                       o: {type: ollama, base_url: "%s"}
                     models:
                       m:
                         retries: {count: 0}
                         providers: {o: {model_id: llama3}}
                     request_log:
                       store: sqlite
                       sqlite: {path: "%s"}
                       flush_interval_ms: 20
                       spill_dir: "%s"
                     """.formatted(ProxyHarness.KEY, ollama.baseUrl(), db, dir.resolve("spill")))) {
            ollama.setDefault(req -> Reply.ndjson(List.of(
                    head + "\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n",
                    head
                            + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\","
                            + "\"prompt_eval_count\":11,\"eval_count\":7}")));
            HttpResponse<String> r = proxy.post(
                    "/v1/chat/completions",
                    "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"prompt_tokens\":11"), "the client got the usage: " + r.body());
            Map<String, Object> row = RequestLogIT.awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 1)
                    .get(0);
            assertEquals(11L, RequestLogIT.number(row.get("prompt_tokens")), "the row's usage: " + row);
            assertEquals(18L, RequestLogIT.number(row.get("total_tokens")), "the row's usage: " + row);
        }
    }
}
