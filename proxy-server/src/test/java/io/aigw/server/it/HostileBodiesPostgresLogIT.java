package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestPostgres;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No body a client can send, and no answer a provider gives, may keep an exchange out of the
 * PostgreSQL log: PostgreSQL's {@code jsonb} refuses values JSON allows (numbers beyond
 * {@code numeric}, {@code \u0000}, unpaired surrogates), and each such refusal used to drop the row
 * with its usage. A seeded mix of those values, valid and invalid JSON, in the request and in the
 * provider's answer: every request id has exactly one row, with the usage of its answer.
 */
class HostileBodiesPostgresLogIT {
    private static final int REQUESTS = 240;

    /** Values JSON allows and PostgreSQL's jsonb may not, and some it takes, as they appear in a body. */
    private static final List<String> VALUES = List.of(
            "1e-20000",
            "1e999999",
            "-1e999999",
            "1E+131072",
            "1e-16384",
            "123456789012345678901234567890e99999",
            "-0.0e-99999",
            "1e308",
            "4.9e-324",
            "\"a\\u0000b\"",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "\"\\udfff x\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud83d\\ude00 ok\"",
            "\"\\\\u0000 escaped backslash\"",
            "\"tab\\tnewline\\n\"",
            "{\"\\u0000key\":1}",
            "[1e999999,\"\\u0000\",{\"n\":-1e-20000}]",
            "null",
            "true");

    /** Bodies that are not JSON at all, or not a chat request: answered 400 by the proxy, logged all the same. */
    private static final List<String> BROKEN = List.of(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]",
            "{\"model\":\"m\",\"messages\":\"\\u0000\"}",
            "\u0000\u0001\u0002",
            "{\"model\":\"m\",\"temperature\":1e999999}",
            "[1e-20000]");

    @TempDir
    Path dir;

    @Test
    void everyExchangeHasItsRowWhateverItsBodiesHold() throws Exception {
        try (TestPostgres pg = TestPostgres.require();
                TestUpstream upstream = TestUpstream.start()) {
            upstream.setDefault(req -> Reply.json(200, answer(req.bodyUtf8())));
            String yaml = """
                    server: {host: 127.0.0.1, port: 0}
                    auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                    providers:
                      mock: {type: openai, base_url: "%s", api_key: sk-provider-secret-4242}
                    models:
                      m:
                        retries: {count: 0}
                        providers: {mock: {model_id: up-model}}
                    request_log:
                      store: postgres
                      postgres: {url: "%s", user: postgres}
                      flush_interval_ms: 20
                      spill_dir: "%s"
                    """.formatted(
                    ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, upstream.baseUrl(), pg.url(), dir.resolve("spill"));
            Random random = new Random(20261206L);
            Map<String, Integer> statusById = new HashMap<>();
            try (ProxyHarness proxy = ProxyHarness.startYaml(yaml)) {
                for (int i = 0; i < REQUESTS; i++) {
                    String id = "hostile-" + i;
                    String body = i % 12 == 11 ? BROKEN.get(random.nextInt(BROKEN.size())) : body(random, i);
                    HttpResponse<String> r =
                            proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                                    .header("Authorization", "Bearer " + ProxyHarness.KEY)
                                    .header("Content-Type", "application/json")
                                    .header("x-request-id", id)
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build());
                    assertTrue(
                            r.statusCode() == 200 || r.statusCode() == 400,
                            id + ": " + r.statusCode() + " " + r.body());
                    statusById.put(id, r.statusCode());
                }
                List<Map<String, Object>> rows = RequestLogIT.awaitRows(pg::connect, REQUESTS);
                assertEquals(REQUESTS, rows.size(), "one row per exchange, no more");
                int answered = 0;
                for (Map<String, Object> row : rows) {
                    String id = RequestLogIT.text(row.get("request_id"));
                    Integer status = statusById.remove(id);
                    assertEquals(
                            status, RequestLogIT.number(row.get("status_code")).intValue(), id);
                    if (status == 200) {
                        answered++;
                        assertEquals(11L, RequestLogIT.number(row.get("prompt_tokens")), id + " keeps its usage");
                        assertEquals(7L, RequestLogIT.number(row.get("completion_tokens")), id);
                        assertEquals(18L, RequestLogIT.number(row.get("total_tokens")), id);
                    }
                }
                assertTrue(statusById.isEmpty(), "requests without a row: " + statusById.keySet());
                assertTrue(answered > REQUESTS / 2, "most requests were forwarded and answered: " + answered);
                JsonNode stats = RequestLogIT.JSON.readTree(
                        proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/admin/logs/stats")))
                                        .header("Authorization", "Bearer " + ProxyHarness.ADMIN_KEY)
                                        .GET()
                                        .build())
                                .body());
                assertEquals(0, stats.path("dropped").asLong(), stats.toString());
                assertEquals(0, stats.path("refused").asLong(), "no row refused, not even once: " + stats);
                // A batch the database is slow to take goes through the spill: written live or replayed.
                assertEquals(
                        REQUESTS,
                        stats.path("written").asLong() + stats.path("replayed").asLong(),
                        stats.toString());
            }
        }
    }

    /** A chat request with hostile values in a few places a client controls. */
    private static String body(Random random, int i) {
        List<String> fields = new ArrayList<>();
        fields.add("\"model\":\"m\"");
        fields.add("\"messages\":[{\"role\":\"user\",\"content\":" + stringValue(random) + "}]");
        fields.add("\"temperature\":" + pick(random));
        if (random.nextBoolean()) {
            fields.add("\"metadata\":{\"v\":" + pick(random) + ",\"w\":" + pick(random) + "}");
        }
        if (random.nextBoolean()) {
            fields.add("\"user\":" + stringValue(random));
        }
        if (i % 3 == 0) {
            fields.add("\"hostile_answer\":true");
        }
        java.util.Collections.shuffle(fields, random);
        return "{" + String.join(",", fields) + "}";
    }

    private static String pick(Random random) {
        return VALUES.get(random.nextInt(VALUES.size()));
    }

    private static String stringValue(Random random) {
        String v;
        do {
            v = pick(random);
        } while (!v.startsWith("\""));
        return v;
    }

    /** A completion with usage; for some requests the provider's answer carries hostile values too. */
    private static String answer(String requestBody) {
        boolean hostile = requestBody.contains("\"hostile_answer\":true");
        String content = hostile ? "hi \\u0000 there \\ud800" : "hi there";
        String extra = hostile ? ",\"system_fingerprint\":null,\"x_score\":1e999999,\"x_tiny\":1e-20000" : "";
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up-model\""
                + extra
                + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
                + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";
    }
}
