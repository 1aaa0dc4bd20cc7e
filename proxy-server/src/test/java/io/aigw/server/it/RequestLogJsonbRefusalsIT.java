package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestPostgres;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies that are valid JSON but that PostgreSQL's jsonb refuses (numbers outside numeric's range,
 * a NUL escape, an unpaired surrogate escape): a client sends them, the provider answers 200, and
 * the row must still be written, whole, with its usage; nothing refused or dropped.
 */
class RequestLogJsonbRefusalsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String COMPLETION =
            "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up-model\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";

    @TempDir
    Path dir;

    @Test
    void bodiesJsonbRefusesAreKeptWholeAsFlaggedTextWithTheirUsage() throws Exception {
        Map<String, String> odd = new LinkedHashMap<>();
        odd.put(
                "tiny",
                "{\"model\":\"m\",\"temperature\":1e-20000,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        odd.put(
                "huge",
                "{\"model\":\"m\",\"temperature\":1e999999,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        odd.put(
                "negative",
                "{\"model\":\"m\",\"temperature\":-1e999999,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        odd.put("nul", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000b\"}]}");
        odd.put("surrogate", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}");
        String clean = "{\"model\":\"m\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

        try (TestPostgres pg = TestPostgres.require();
                TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(upstream.baseUrl(), pg.url()))) {
            upstream.setDefault(req -> Reply.json(200, COMPLETION));
            for (Map.Entry<String, String> e : odd.entrySet()) {
                assertEquals(200, chat(proxy, "req-" + e.getKey(), e.getValue()), e.getKey());
            }
            assertEquals(200, chat(proxy, "req-clean", clean));

            List<Map<String, Object>> rows = awaitSettled(proxy, pg, odd.size() + 1);
            JsonNode stats = JSON.readTree(proxy.adminGet("/admin/logs/stats").body());
            assertEquals(0, stats.get("dropped").asLong(), stats.toString());
            assertEquals(0, stats.path("refused").asLong(), stats.toString());
            assertEquals(odd.size() + 1, rows.size(), "one row per request");
            for (Map.Entry<String, String> e : odd.entrySet()) {
                Map<String, Object> row = only(rows, "req-" + e.getKey());
                assertTrue(RequestLogIT.bool(row.get("request_body_as_text")), e.getKey() + ": flagged " + row);
                JsonNode body = RequestLogIT.json(row.get("request_body"));
                assertTrue(body.isTextual(), e.getKey() + ": a JSON string " + body);
                assertEquals(e.getValue(), body.asText(), e.getKey() + ": the whole body as it came");
                assertFalse(RequestLogIT.bool(row.get("response_body_as_text")), e.getKey());
                assertEquals(18, RequestLogIT.number(row.get("total_tokens")), e.getKey() + ": usage");
                assertEquals(11, RequestLogIT.number(row.get("prompt_tokens")), e.getKey() + ": usage");
            }
            Map<String, Object> ok = only(rows, "req-clean");
            assertFalse(RequestLogIT.bool(ok.get("request_body_as_text")));
            assertEquals(
                    0.5,
                    RequestLogIT.json(ok.get("request_body")).get("temperature").asDouble());

            // The read-back says the same: the flag, and the body as the string it is stored as.
            JsonNode data =
                    JSON.readTree(proxy.adminGet("/admin/logs?limit=10").body()).get("data");
            for (JsonNode item : data) {
                if (!"/v1/chat/completions".equals(item.get("endpoint").asText())) {
                    continue;
                }
                String id = item.get("request_id").asText();
                boolean isOdd = odd.containsKey(id.substring("req-".length()));
                assertEquals(isOdd, item.get("request_body_as_text").asBoolean(), id);
                assertEquals(isOdd, item.get("request_body").isTextual(), id);
            }
        }
    }

    @Test
    void headerValuesAndModelNamesWithOddCharactersStillGetTheirRow() throws Exception {
        try (TestPostgres pg = TestPostgres.require();
                TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(upstream.baseUrl(), pg.url()))) {
            upstream.setDefault(req -> Reply.json(200, COMPLETION));
            String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
            for (String odd : List.of("a\u0001b\u00ffc", "nul\u0000here")) {
                String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + ProxyHarness.KEY + "\r\nContent-Type: application/json\r\nx-request-id: req-header\r\n"
                        + "User-Agent: " + odd + "\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n"
                        + body;
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.port())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    socket.getInputStream().readAllBytes();
                }
            }
            // Text columns (model, request id) take what the client wrote too: a NUL, a lone surrogate.
            chat(proxy, "req-model-nul", "{\"model\":\"m\\u0000x\",\"messages\":[]}");
            chat(proxy, "req-model-lone\u00e9", "{\"model\":\"\\udc00\",\"messages\":[]}");
            long deadline = System.nanoTime() + 10_000_000_000L;
            JsonNode stats;
            do {
                stats = JSON.readTree(proxy.adminGet("/admin/logs/stats").body());
                Thread.sleep(20);
            } while (stats.get("written").asLong()
                                    + stats.get("replayed").asLong()
                                    + stats.get("dropped").asLong()
                            < 5
                    && System.nanoTime() < deadline);
            assertEquals(0, stats.get("dropped").asLong(), stats.toString());
            assertEquals(0, stats.get("refused").asLong(), stats.toString());
            try (java.sql.Connection c = pg.connect()) {
                long headerRows = RequestLogIT.rows(c).stream()
                        .filter(r -> !"/admin/logs/stats".equals(RequestLogIT.text(r.get("endpoint"))))
                        .count();
                assertEquals(4, headerRows, "one row per request, whatever its headers or model");
            }
        }
    }

    private static Map<String, Object> only(List<Map<String, Object>> rows, String requestId) {
        List<Map<String, Object>> found = rows.stream()
                .filter(r -> requestId.equals(RequestLogIT.text(r.get("request_id"))))
                .toList();
        assertEquals(1, found.size(), requestId + " in " + rows);
        return found.get(0);
    }

    /** The chat rows once each of {@code n} requests is written or dropped (a refused row used to be dropped). */
    private static List<Map<String, Object>> awaitSettled(ProxyHarness proxy, TestPostgres pg, int n) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<Map<String, Object>> rows;
        JsonNode stats;
        do {
            try (java.sql.Connection c = pg.connect()) {
                rows = RequestLogIT.rows(c).stream()
                        .filter(r -> "/v1/chat/completions".equals(RequestLogIT.text(r.get("endpoint"))))
                        .toList();
            }
            stats = JSON.readTree(proxy.adminGet("/admin/logs/stats").body());
            if (rows.size() + stats.get("dropped").asLong() >= n) {
                return rows;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("rows not settled: " + rows.size() + " rows, " + stats);
    }

    private static int chat(ProxyHarness proxy, String requestId, String body) throws Exception {
        return proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + ProxyHarness.KEY)
                        .header("x-request-id", requestId)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build())
                .statusCode();
    }

    private String yaml(String upstreamUrl, String pgUrl) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: "sk-provider"}
                models:
                  m:
                    retries: {count: 0}
                    providers: {mock: {model_id: up-model}}
                request_log:
                  store: postgres
                  postgres: {url: "%s", user: postgres}
                  flush_interval_ms: 20
                  spill_dir: "%s"
                """.formatted(ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, upstreamUrl, pgUrl, dir.resolve("spill"));
    }
}
