package io.aigw.server.it;

import static io.aigw.server.it.RequestLogIT.awaitRows;
import static io.aigw.server.it.RequestLogIT.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.http.Exchange;
import io.aigw.server.metrics.Scrape;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestPostgres;
import io.aigw.server.testing.TestUpstream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost of each exchange through the real server, checked where it lands: the request-log row's
 * {@code cost_usd} (SQLite, and PostgreSQL through the binary COPY), the exchange's own figure as a
 * listener reads it, {@code GET /admin/logs}, and {@code aigw_cost_usd_total}. Expected costs are
 * recomputed here from each row's usage and {@code prices.json} read as plain JSON, not through the
 * code under test.
 *
 * <p>The upstream makes each answer's usage from the number {@code n} in the request, so every row
 * has usage of its own: OpenAI's {@code prompt_tokens} with {@code cached_tokens} inside it, and
 * Anthropic's {@code input_tokens}, {@code cache_creation_input_tokens} and
 * {@code cache_read_input_tokens}, which our translation reports as OpenAI usage.
 */
class CostIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern N = Pattern.compile("n=(\\d+)");
    /** The override of route {@code priced} (USD per million: input, output, cached input). */
    private static final double[] OVERRIDE = {1.0, 2.0, 0.5};
    /** The ten kinds of request of a mixed run, by {@code n % 10}. */
    private static final String[] KINDS = {
        "plain",
        "stream",
        "mini-cached",
        "claude",
        "claude-stream",
        "priced",
        "priced-stream",
        "unknown",
        "embedding",
        "failed"
    };

    @TempDir
    Path dir;

    private static String yaml(String upstream, String requestLog) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%1$s"], admin_keys: ["%2$s"]}
                providers:
                  oa: {type: openai, base_url: "%3$s", api_key: sk-cost-provider-key}
                  claude: {type: anthropic, base_url: "%3$s", api_key: sk-cost-anthropic-key}
                  az: {type: azure, base_url: "%3$s/", api_key: sk-cost-azure-key}
                models:
                  gpt-4o:
                    retries: {count: 0}
                    providers: {oa: {model_id: gpt-4o-2024-08-06}}
                  mini:
                    retries: {count: 0}
                    providers: {oa: {model_id: gpt-4o-mini}}
                  sonnet:
                    retries: {count: 0}
                    providers: {claude: {model_id: claude-3-5-sonnet-20241022, max_tokens: 64}}
                  priced:
                    retries: {count: 0}
                    providers: {az: {model_id: prod-chat, price: {input: %4$s, output: %5$s, cached_input: %6$s}}}
                  local:
                    retries: {count: 0}
                    providers: {oa: {model_id: my-local-llm}}
                  emb:
                    retries: {count: 0}
                    providers: {oa: {model_id: text-embedding-3-small}}
                request_log:
                %7$s
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        upstream,
                        OVERRIDE[0],
                        OVERRIDE[1],
                        OVERRIDE[2],
                        requestLog.indent(2));
    }

    // ---- the upstream: usage made from n --------------------------------------------------------

    /** OpenAI usage of request n: prompt, completion, cached (a part of prompt). */
    static long[] openAiUsage(int n) {
        return new long[] {100 + n, 7 + n, n % 3 == 0 ? 64 : 0};
    }

    /** Anthropic usage of request n: input (uncached), output, cache creation, cache read. */
    static long[] anthropicUsage(int n) {
        return new long[] {20 + n, 5 + n, n % 2 == 0 ? 10 : 0, n % 4 == 0 ? 0 : 40 + n};
    }

    private static Reply answer(RecordedRequest req) {
        String body = req.bodyUtf8();
        Matcher m = N.matcher(body);
        int n = m.find() ? Integer.parseInt(m.group(1)) : 0;
        boolean stream = body.contains("\"stream\":true");
        if (body.contains("fail")) {
            return Reply.json(
                    500, "{\"error\":{\"message\":\"down\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
        }
        if (req.uri().endsWith("/v1/messages")) {
            return anthropic(n, stream);
        }
        if (req.uri().contains("/embeddings")) {
            return Reply.json(
                    200,
                    "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}],"
                            + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":" + (8 + n)
                            + ",\"total_tokens\":" + (8 + n) + "}}");
        }
        long[] u = openAiUsage(n);
        String usage = "{\"prompt_tokens\":" + u[0] + ",\"completion_tokens\":" + u[1] + ",\"total_tokens\":"
                + (u[0] + u[1]) + ",\"prompt_tokens_details\":{\"cached_tokens\":" + u[2] + ",\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}";
        if (!stream) {
            return Reply.json(
                    200,
                    "{\"id\":\"chatcmpl-c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"x\","
                            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                            + "\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}");
        }
        return Reply.sse(List.of(
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"x\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"content\":\"o\"},\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"x\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\"k\"},\"finish_reason\":\"stop\"}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"x\",\"choices\":[],\"usage\":"
                        + usage + "}"));
    }

    private static Reply anthropic(int n, boolean stream) {
        long[] u = anthropicUsage(n);
        if (!stream) {
            return Reply.json(
                    200,
                    "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-sonnet-20241022\","
                            + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\","
                            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + u[0]
                            + ",\"cache_creation_input_tokens\":" + u[2] + ",\"cache_read_input_tokens\":" + u[3]
                            + ",\"output_tokens\":" + u[1] + "}}");
        }
        return Reply.sseRaw(List.of(
                event(
                        "message_start",
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\","
                                + "\"model\":\"claude-3-5-sonnet-20241022\",\"content\":[],\"stop_reason\":null,"
                                + "\"usage\":{\"input_tokens\":" + u[0] + ",\"cache_creation_input_tokens\":" + u[2]
                                + ",\"cache_read_input_tokens\":" + u[3] + ",\"output_tokens\":1}}}"),
                event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
                event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                                + "\"usage\":{\"output_tokens\":" + u[1] + "}}"),
                event("message_stop", "{\"type\":\"message_stop\"}")));
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    // ---- the client ------------------------------------------------------------------------------

    /** Request n of its kind; returns the status. */
    private static int send(ProxyHarness proxy, int n, String kind) throws Exception {
        String model = switch (kind) {
            case "plain", "stream", "failed" -> "gpt-4o";
            case "mini-cached" -> "mini";
            case "claude", "claude-stream" -> "sonnet";
            case "priced", "priced-stream" -> "priced";
            case "unknown" -> "local";
            case "embedding" -> "emb";
            default -> throw new IllegalArgumentException(kind);
        };
        boolean stream = kind.endsWith("stream");
        String content = (kind.equals("failed") ? "fail " : "") + "n=" + n;
        String path = kind.equals("embedding") ? "/v1/embeddings" : "/v1/chat/completions";
        String body = kind.equals("embedding")
                ? "{\"model\":\"emb\",\"input\":\"" + content + "\"}"
                : "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url(path)))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("Content-Type", "application/json")
                .header("x-request-id", "cost-" + n)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        if (kind.equals("failed")) {
            assertEquals(500, r.statusCode(), r.body());
        } else {
            assertEquals(200, r.statusCode(), kind + ": " + r.body());
            assertFalse(stream && r.body().contains("\"usage\""), "the forced usage chunk stays hidden");
        }
        return r.statusCode();
    }

    // ---- the expected cost, from the row and prices.json ---------------------------------------

    /** {@code prices.json} as plain JSON: the test's own reading of the table. */
    private static final JsonNode TABLE = readTable();

    private static JsonNode readTable() {
        try (InputStream in = CostIT.class.getResourceAsStream("/io/aigw/core/cost/prices.json")) {
            return JSON.readTree(in).get("providers");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** USD per million {input, output, cached input} of a row's deployment, or null when unknown. */
    static double[] priceOf(String provider, String modelResolved) {
        if (provider.equals("az")) {
            return OVERRIDE;
        }
        JsonNode family = TABLE.get(provider.equals("claude") ? "anthropic" : "openai");
        String id = modelResolved.toLowerCase(Locale.ROOT);
        JsonNode p = family.get(id);
        if (p == null) {
            p = family.get(id.replaceFirst("-(\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4}|latest)$", ""));
        }
        if (p == null) {
            return null;
        }
        double input = p.get("input").asDouble();
        return new double[] {
            input,
            p.get("output").asDouble(),
            p.has("cached_input") ? p.get("cached_input").asDouble() : input
        };
    }

    /** The cost a row must show, from its own usage columns and the table; null when unknown. */
    static Double expectedCost(Map<String, Object> row) {
        double[] price = priceOf(text(row.get("provider")), text(row.get("model_resolved")));
        Long prompt = RequestLogIT.number(row.get("prompt_tokens"));
        Long completion = RequestLogIT.number(row.get("completion_tokens"));
        if (price == null || (prompt == null && completion == null)) {
            return null;
        }
        long p = prompt == null ? 0 : prompt;
        long c = completion == null ? 0 : completion;
        Long cachedColumn = RequestLogIT.number(row.get("cached_tokens"));
        long cached = cachedColumn == null ? 0 : cachedColumn;
        return ((p - cached) * price[0] + cached * price[2] + c * price[1]) / 1e6;
    }

    static Double cost(Map<String, Object> row) {
        Object v = row.get("cost_usd");
        return v == null ? null : ((Number) v).doubleValue();
    }

    // ---- the tests -------------------------------------------------------------------------------

    private static String sqlite(Path db, Path spill) {
        return "store: sqlite\nsqlite: {path: \"" + db + "\"}\nflush_interval_ms: 20\nspill_dir: \"" + spill + "\"";
    }

    /** Each kind of answer once, each row checked against figures worked out by hand. */
    @Test
    void eachKindOfAnswerHasItsCostInItsRowAndOnTheExchange() throws Exception {
        Path db = dir.resolve("requests.db");
        Map<String, Double> seen = new ConcurrentHashMap<>();
        ExchangeListener spend = new ExchangeListener() {
            @Override
            public void completed(Exchange e) {
                seen.put(e.requestId(), e.costUsd()); // what a spend listener reads
            }
        };
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        yaml(upstream.baseUrl(), sqlite(db, dir.resolve("spill"))), List.of(spend))) {
            upstream.setDefault(CostIT::answer);
            for (int n = 0; n < KINDS.length; n++) {
                send(proxy, n, KINDS[n]);
            }
            List<Map<String, Object>> rows = awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 10);
            Map<String, Map<String, Object>> byId = new java.util.HashMap<>();
            rows.forEach(r -> byId.put(text(r.get("request_id")), r));

            // n=0 plain gpt-4o-2024-08-06 (priced as gpt-4o: 2.50 / 10 / 1.25): 100 prompt, 64 cached, 7 out
            assertCost(byId.get("cost-0"), (36 * 2.50 + 64 * 1.25 + 7 * 10.0) / 1e6);
            assertEquals(64, RequestLogIT.number(byId.get("cost-0").get("cached_tokens")));
            // n=1 streamed, usage in the last (hidden) chunk: 101 prompt, 0 cached, 8 out
            assertCost(byId.get("cost-1"), (101 * 2.50 + 8 * 10.0) / 1e6);
            // n=2 gpt-4o-mini (0.15 / 0.60 / 0.075): 102 prompt, 0 cached, 9 out
            assertCost(byId.get("cost-2"), (102 * 0.15 + 9 * 0.60) / 1e6);
            // n=3 Anthropic claude-3-5-sonnet-20241022 (3 / 15 / 0.30): input 23, creation 0, read 43, out 8
            // -> prompt 66 of which 43 cached
            assertCost(byId.get("cost-3"), (23 * 3.0 + 43 * 0.30 + 8 * 15.0) / 1e6);
            assertEquals(66, RequestLogIT.number(byId.get("cost-3").get("prompt_tokens")));
            assertEquals(43, RequestLogIT.number(byId.get("cost-3").get("cached_tokens")));
            // n=4 Anthropic stream: input 24, creation 10 (billed as input), read 0, out 9
            assertCost(byId.get("cost-4"), (34 * 3.0 + 9 * 15.0) / 1e6);
            // n=5 Azure deployment named by the operator, priced by its override (1 / 2 / 0.5): 105, 12, 0 cached
            assertCost(byId.get("cost-5"), (105 * 1.0 + 12 * 2.0) / 1e6);
            // n=6 the same, streamed: 106 prompt of which 64 cached, 13 out
            assertCost(byId.get("cost-6"), (42 * 1.0 + 64 * 0.5 + 13 * 2.0) / 1e6);
            // n=7 a model no price knows: null, though its usage is known
            assertNull(cost(byId.get("cost-7")));
            assertEquals(107, RequestLogIT.number(byId.get("cost-7").get("prompt_tokens")));
            // n=8 an embedding (0.02 per million input): 16 tokens, no completion
            assertCost(byId.get("cost-8"), 16 * 0.02 / 1e6);
            // n=9 the provider failed: no usage, no cost
            assertNull(cost(byId.get("cost-9")));

            for (Map<String, Object> row : rows) {
                String id = text(row.get("request_id"));
                Double logged = cost(row);
                double onExchange = seen.get(id);
                if (logged == null) {
                    assertTrue(Double.isNaN(onExchange), id + ": unknown on the exchange too");
                } else {
                    assertEquals(logged, onExchange, 0.0, id + ": the listener and the log read one figure");
                }
            }

            // GET /admin/logs carries it too
            HttpResponse<String> admin = proxy.adminGet("/admin/logs?limit=50");
            assertEquals(200, admin.statusCode(), admin.body());
            JsonNode items = JSON.readTree(admin.body());
            JsonNode list = items.isArray() ? items : items.get("data");
            assertNotNull(list, admin.body());
            int checked = 0;
            for (JsonNode item : list) {
                Map<String, Object> row = byId.get(item.get("request_id").asText());
                if (row == null) {
                    continue;
                }
                Double c = cost(row);
                if (c == null) {
                    assertTrue(item.get("cost_usd").isNull(), item.toString());
                } else {
                    assertEquals(c, item.get("cost_usd").doubleValue(), 0.0, item.toString());
                }
                checked++;
            }
            assertEquals(10, checked, admin.body());
        }
    }

    private static void assertCost(Map<String, Object> row, double expected) {
        assertNotNull(row);
        Double c = cost(row);
        assertNotNull(c, "a cost for " + row);
        assertEquals(expected, c, 1e-12, String.valueOf(row));
        assertEquals(expectedCost(row), c, 1e-12, "from the row's own usage and the table");
    }

    @Test
    void costInTheLogMatchesThePriceTableForEveryRowOfAMixedRunOnSqlite() throws Exception {
        Path db = dir.resolve("requests.db");
        mixedRun(sqlite(db, dir.resolve("spill")), () -> DriverManager.getConnection("jdbc:sqlite:" + db));
    }

    /** With {@code durability: wal} every row passes through the write-ahead log's JSON lines first. */
    @Test
    void costInTheLogMatchesThePriceTableForEveryRowOfAMixedRunThroughTheWal() throws Exception {
        Path db = dir.resolve("requests.db");
        mixedRun(
                "store: sqlite\nsqlite: {path: \"" + db + "\"}\ndurability: wal\nspill_dir: \"" + dir.resolve("spill")
                        + "\"",
                () -> DriverManager.getConnection("jdbc:sqlite:" + db));
    }

    /** PostgreSQL takes batches by binary COPY: the double goes in as its 8 bytes. */
    @Test
    void costInTheLogMatchesThePriceTableForEveryRowOfAMixedRunOnPostgres() throws Exception {
        try (TestPostgres pg = TestPostgres.require()) {
            mixedRun(
                    "store: postgres\npostgres: {url: \"" + pg.url() + "\", user: postgres}\nflush_interval_ms: 20\n"
                            + "spill_dir: \"" + dir.resolve("spill") + "\"",
                    pg::connect);
        }
    }

    private void mixedRun(String requestLog, RequestLogIT.Db db) throws Exception {
        int total = 120;
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(upstream.baseUrl(), requestLog))) {
            upstream.setDefault(CostIT::answer);
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> sent = new ArrayList<>();
                for (int n = 0; n < total; n++) {
                    int k = n;
                    sent.add(clients.submit(() -> send(proxy, k, KINDS[k % KINDS.length])));
                }
                for (Future<Integer> f : sent) {
                    f.get();
                }
            } finally {
                clients.shutdownNow();
            }
            List<Map<String, Object>> rows = awaitRows(db, total);
            assertEquals(total, rows.size());
            double sum = 0;
            int priced = 0;
            for (Map<String, Object> row : rows) {
                String id = text(row.get("request_id"));
                int n = Integer.parseInt(id.substring("cost-".length()));
                String kind = KINDS[n % KINDS.length];
                assertUsageAsSent(row, n, kind);
                Double expected = expectedCost(row);
                Double logged = cost(row);
                if (expected == null) {
                    assertNull(logged, id + " (" + kind + ") has no known price or usage");
                    assertTrue(kind.equals("unknown") || kind.equals("failed"), id + " " + kind);
                } else {
                    assertNotNull(logged, id + " (" + kind + ")");
                    assertEquals(expected, logged, 1e-9, id + " (" + kind + ")");
                    sum += logged;
                    priced++;
                }
            }
            assertEquals(total - 2 * (total / KINDS.length), priced);
            // The metric counts the same figures.
            Scrape s = MetricsIT.scrape(proxy);
            assertEquals(sum, s.sum("aigw_cost_usd_total"), 1e-9, s.text());
            assertTrue(s.value("aigw_cost_usd_total{model=\"sonnet\",provider=\"claude\"}") > 0, s.text());
            assertEquals(0.0, s.value("aigw_cost_usd_total{model=\"local\",provider=\"oa\"}"), "unknown adds nothing");
        }
    }

    /** The row's usage is what the upstream reported for request n (so the cost is of the right usage). */
    private static void assertUsageAsSent(Map<String, Object> row, int n, String kind) {
        Long prompt = RequestLogIT.number(row.get("prompt_tokens"));
        Long cached = RequestLogIT.number(row.get("cached_tokens"));
        switch (kind) {
            case "claude", "claude-stream" -> {
                long[] u = anthropicUsage(n);
                assertEquals(u[0] + u[2] + u[3], prompt, "Anthropic input, cache writes and reads: " + row);
                assertEquals(u[3], cached, String.valueOf(row));
                assertEquals(u[1], RequestLogIT.number(row.get("completion_tokens")));
            }
            case "embedding" -> assertEquals(8 + n, prompt);
            case "failed" -> assertNull(prompt);
            default -> {
                long[] u = openAiUsage(n);
                assertEquals(u[0], prompt, String.valueOf(row));
                assertEquals(u[2], cached, String.valueOf(row));
                assertEquals(u[1], RequestLogIT.number(row.get("completion_tokens")));
            }
        }
    }
}
