package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static io.aigw.server.it.ErrorShape.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.keys.KeyDirectory;
import io.aigw.core.keys.KeyStores;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Database client keys through the real server: made by the admin API they work at once; revoked,
 * expired, rotated, limited to models or out of budget they are refused in OpenAI's shape before
 * any provider is called; and neither a key nor its hash reaches a log line or an admin answer.
 */
class ClientKeysIT {
    static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,\"total_tokens\":8}}";

    @TempDir
    Path dir;

    private TestUpstream upstream;
    private final List<ProxyHarness> proxies = new ArrayList<>();

    /** Every secret a test made or used, and every answer of the admin API: checked after each test. */
    private final Queue<String> secrets = new ConcurrentLinkedQueue<>();

    private final Queue<String> adminAnswers = new ConcurrentLinkedQueue<>();
    private final Queue<ILoggingEvent> logged = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            logged.add(event);
        }
    };

    @BeforeEach
    void start() {
        capture.start();
        root().addAppender(capture);
        upstream = TestUpstream.start();
        upstream.setDefault(r -> Reply.json(200, OK));
    }

    @AfterEach
    void noKeyOrHashInAnyLogLineOrAdminAnswer() {
        proxies.forEach(ProxyHarness::close);
        upstream.close();
        root().detachAppender(capture);
        List<String> forbidden = new ArrayList<>();
        for (String s : secrets) {
            forbidden.add(s);
            forbidden.add(KeyHash.ofKey(s).hex());
        }
        for (ILoggingEvent e : logged) {
            String line = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : e.getThrowableProxy().getMessage());
            for (String f : forbidden) {
                assertFalse(line.contains(f), "a key or its hash in a log line: " + line);
            }
        }
        for (String answer : adminAnswers) {
            for (String s : secrets) {
                assertFalse(answer.contains(KeyHash.ofKey(s).hex()), "a hash in an admin answer: " + answer);
            }
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private String yaml(String requestLog) {
        return yaml(requestLog, "null");
    }

    /** @param gpt4oPrice the gpt-4o deployment's {@code price:} override (YAML), {@code null} for the table's */
    private String yaml(String requestLog, String gpt4oPrice) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                data_dir: "%s"
                request_log: %s
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  gpt-4o: {retries: {count: 0}, providers: {mock: {model_id: gpt-4o, price: %s}}}
                  gpt-4o-mini: {retries: {count: 0}, providers: {mock: {model_id: gpt-4o-mini}}}
                  claude-3: {retries: {count: 0}, providers: {mock: {model_id: claude-3}}}
                """.formatted(ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, dir, requestLog, upstream.baseUrl(), gpt4oPrice);
    }

    /** A proxy whose keys live in the default SQLite file under the data dir (the log is off). */
    private ProxyHarness proxy() throws Exception {
        return proxy("{store: off}", s -> s);
    }

    private ProxyHarness proxy(String requestLog, UnaryOperator<io.aigw.server.ProxyServer> setup) throws Exception {
        ProxyHarness p = ProxyHarness.startYaml(yaml(requestLog), setup);
        proxies.add(p);
        return p;
    }

    private HttpResponse<String> admin(ProxyHarness p, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(p.url(path)))
                .header("Authorization", "Bearer " + ProxyHarness.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = p.send(b.build());
        adminAnswers.add(r.body());
        return r;
    }

    /** Makes a key; returns its object with the one-time {@code key}. */
    private JsonNode create(ProxyHarness p, String body) throws Exception {
        HttpResponse<String> r = admin(p, "POST", "/admin/keys", body);
        assertEquals(201, r.statusCode(), r.body());
        JsonNode key = json(r.body());
        secrets.add(key.get("key").asText());
        return key;
    }

    private static HttpResponse<String> chat(ProxyHarness p, String key, String model) throws Exception {
        return p.send(HttpRequest.newBuilder(URI.create(p.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .build());
    }

    private static List<String> modelIds(String body) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode m : json(body).get("data")) {
            ids.add(m.get("id").asText());
        }
        return ids;
    }

    @Test
    void aNewKeyWorksAtOnceAndARevokedOneGets401OnTheNextRequest() throws Exception {
        ProxyHarness p = proxy();
        JsonNode made = create(p, "{\"name\":\"search-bot\",\"metadata\":{\"team\":\"search\"}}");
        String key = made.get("key").asText();
        assertTrue(key.startsWith("sk-aigw-"), key);
        assertEquals(key.substring(0, 12) + "\u2026", made.get("prefix").asText());
        List<String> fields = new ArrayList<>();
        made.fieldNames().forEachRemaining(fields::add);
        assertEquals(
                List.of(
                        "object",
                        "id",
                        "name",
                        "prefix",
                        "models",
                        "budget_usd",
                        "budget_period",
                        "expires_at",
                        "created_at",
                        "revoked_at",
                        "rpm",
                        "tpm",
                        "max_parallel",
                        "token_quota_daily",
                        "token_quota_monthly",
                        "metadata",
                        "key"),
                fields);
        assertEquals("api_key", made.get("object").asText());
        assertEquals("search", made.get("metadata").get("team").asText());
        assertTrue(made.get("revoked_at").isNull());
        Instant.parse(made.get("created_at").asText());

        HttpResponse<String> ok = chat(p, key, "gpt-4o");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(
                List.of("gpt-4o", "gpt-4o-mini", "claude-3"),
                modelIds(p.call("GET", "/v1/models", key).body()));

        // The key is shown once: never again by the API.
        String id = made.get("id").asText();
        HttpResponse<String> shown = admin(p, "GET", "/admin/keys/" + id, null);
        assertEquals(200, shown.statusCode(), shown.body());
        assertFalse(shown.body().contains(key));
        assertFalse(json(shown.body()).has("key"));

        HttpResponse<String> revoked = admin(p, "DELETE", "/admin/keys/" + id, null);
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertFalse(json(revoked.body()).get("revoked_at").isNull());
        int before = upstream.requestCount();
        HttpResponse<String> refused = chat(p, key, "gpt-4o");
        assertEquals(401, refused.statusCode());
        JsonNode error = assertError(refused.body(), "invalid_request_error", "invalid_api_key", null);
        assertTrue(error.get("message").asText().contains("revoked"), refused.body());
        assertFalse(refused.body().contains(key));
        assertEquals(before, upstream.requestCount(), "no provider is called for a refused key");

        // An unknown key: the plain 401, and config-file keys still work beside database keys.
        String unknown = "sk-aigw-nobody-has-this-key-at-all";
        secrets.add(unknown);
        assertError(chat(p, unknown, "gpt-4o").body(), "invalid_request_error", "invalid_api_key", null);
        assertEquals(200, chat(p, ProxyHarness.KEY, "gpt-4o").statusCode());
        // A client key is no admin key.
        assertEquals(401, p.call("GET", "/admin/keys", key).statusCode());
    }

    @Test
    void aKeyLimitedToModelGlobsGets403ForAnotherModelAndSeesOnlyItsModels() throws Exception {
        ProxyHarness p = proxy();
        String key = create(p, "{\"name\":\"mini\",\"models\":[\"gpt-4o*\"]}")
                .get("key")
                .asText();
        assertEquals(200, chat(p, key, "gpt-4o").statusCode());
        assertEquals(200, chat(p, key, "gpt-4o-mini").statusCode());
        int before = upstream.requestCount();
        HttpResponse<String> refused = chat(p, key, "claude-3");
        assertEquals(403, refused.statusCode());
        assertError(refused.body(), "invalid_request_error", "model_not_allowed", "model");
        assertEquals(before, upstream.requestCount());
        assertEquals(
                List.of("gpt-4o", "gpt-4o-mini"),
                modelIds(p.call("GET", "/v1/models", key).body()));
        assertEquals(404, p.call("GET", "/v1/models/claude-3", key).statusCode());
        assertEquals(200, p.call("GET", "/v1/models/gpt-4o", key).statusCode());
        assertEquals(
                3,
                modelIds(p.call("GET", "/v1/models", ProxyHarness.KEY).body()).size());
    }

    /**
     * A proxy whose gpt-4o deployment is priced so that the mock's answer (3 prompt and 5 completion
     * tokens) costs what the test needs: the spend comes from the real cost path (price, usage,
     * {@code Exchange.costUsd()}), as in production.
     */
    private ProxyHarness pricedProxy(String gpt4oPrice) throws Exception {
        ProxyHarness p = ProxyHarness.startYaml(yaml("{store: off}", gpt4oPrice), s -> s);
        proxies.add(p);
        return p;
    }

    @Test
    void aKeyOverItsBudgetGets429InsufficientQuotaUntilTheBudgetIsRaised() throws Exception {
        ProxyHarness p = pricedProxy("{input: 50, output: 90}"); // (3 × 50 + 5 × 90) / 1e6 = $0.0006 a request
        JsonNode made = create(p, "{\"name\":\"capped\",\"budget_usd\":0.001}");
        assertEquals("monthly", made.get("budget_period").asText());
        String key = made.get("key").asText();
        assertEquals(200, chat(p, key, "gpt-4o").statusCode()); // spent 0.0006
        assertEquals(200, chat(p, key, "gpt-4o").statusCode()); // spent 0.0012: over, but it was under at the start
        int before = upstream.requestCount();
        HttpResponse<String> refused = chat(p, key, "gpt-4o");
        assertEquals(429, refused.statusCode(), refused.body());
        assertError(refused.body(), "insufficient_quota", "insufficient_quota", null);
        assertEquals(before, upstream.requestCount());

        JsonNode shown = json(
                admin(p, "GET", "/admin/keys/" + made.get("id").asText(), null).body());
        JsonNode spend = shown.get("spend");
        assertEquals("monthly", spend.get("period").asText());
        assertTrue(spend.get("period_start").asText().endsWith("-01T00:00:00Z"), spend.toString());
        assertEquals(0.0012, spend.get("usd").asDouble(), 1e-9);
        assertEquals(2, spend.get("requests").asLong());
        assertEquals(6, spend.get("input_tokens").asLong());
        assertEquals(10, spend.get("output_tokens").asLong());

        HttpResponse<String> raised =
                admin(p, "PATCH", "/admin/keys/" + made.get("id").asText(), "{\"budget_usd\":1}");
        assertEquals(200, raised.statusCode(), raised.body());
        assertEquals(200, chat(p, key, "gpt-4o").statusCode());
    }

    /**
     * Budget checks see spend when an exchange completes, so requests in flight together may all pass
     * the check: with C clients the overshoot is below C requests' cost. Eight clients, each sending
     * until refused, against a budget of 2.5 requests: at most 2.5 + 8 requests get through.
     */
    @Test
    void concurrentRequestsCrossABudgetByAtMostTheRequestsInFlight() throws Exception {
        upstream.setDefault(r -> Reply.delayed(java.time.Duration.ofMillis(50), Reply.json(200, OK)));
        double cost = 0.0004;
        ProxyHarness p = pricedProxy("{input: 50, output: 50}"); // (3 × 50 + 5 × 50) / 1e6 = $0.0004 a request
        JsonNode made = create(p, "{\"name\":\"race\",\"budget_usd\":0.001,\"budget_period\":\"daily\"}");
        String key = made.get("key").asText();
        int clients = 8;
        AtomicInteger passed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                runs.add(pool.submit(() -> {
                    for (int n = 0; n < 50; n++) {
                        HttpResponse<String> r = chat(p, key, "gpt-4o");
                        if (r.statusCode() == 429) {
                            return null;
                        }
                        assertEquals(200, r.statusCode(), r.body());
                        passed.incrementAndGet();
                    }
                    throw new AssertionError("never refused");
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(passed.get() >= 3, "the budget allows at least 3 requests: " + passed);
        assertTrue(passed.get() <= 2 + clients, "overshoot beyond the requests in flight: " + passed);
        JsonNode spend = json(admin(p, "GET", "/admin/keys/" + made.get("id").asText(), null)
                        .body())
                .get("spend");
        assertEquals(passed.get(), spend.get("requests").asLong());
        assertTrue(spend.get("usd").asDouble() < 0.001 + clients * cost, spend.toString());
    }

    @Test
    void anExpiredKeyGets401SayingSo() throws Exception {
        ProxyHarness p = proxy();
        String past = Instant.now().minusSeconds(60).toString();
        String expired = create(p, "{\"name\":\"old\",\"expires_at\":\"" + past + "\"}")
                .get("key")
                .asText();
        HttpResponse<String> r = chat(p, expired, "gpt-4o");
        assertEquals(401, r.statusCode());
        JsonNode e = assertError(r.body(), "invalid_request_error", "invalid_api_key", null);
        assertTrue(e.get("message").asText().contains("expired"), r.body());

        JsonNode live = create(p, "{\"name\":\"soon\",\"expires_at\":\"2999-01-01T00:00:00+02:00\"}");
        assertEquals("2998-12-31T22:00:00Z", live.get("expires_at").asText());
        String key = live.get("key").asText();
        assertEquals(200, chat(p, key, "gpt-4o").statusCode());
        HttpResponse<String> patched =
                admin(p, "PATCH", "/admin/keys/" + live.get("id").asText(), "{\"expires_at\":\"" + past + "\"}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertTrue(assertError(chat(p, key, "gpt-4o").body(), "invalid_request_error", "invalid_api_key", null)
                .get("message")
                .asText()
                .contains("expired"));
    }

    @Test
    void rotationWithoutGraceStopsTheOldSecretAtOnce() throws Exception {
        ProxyHarness p = proxy();
        JsonNode made = create(p, "{\"name\":\"rot\",\"models\":[\"gpt-4o\"]}");
        String old = made.get("key").asText();
        assertEquals(200, chat(p, old, "gpt-4o").statusCode()); // cached
        HttpResponse<String> r =
                admin(p, "POST", "/admin/keys/" + made.get("id").asText() + "/rotate", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode rotated = json(r.body());
        String fresh = rotated.get("key").asText();
        secrets.add(fresh);
        assertFalse(fresh.equals(old));
        assertEquals(made.get("id"), rotated.get("id"));
        assertEquals(List.of("gpt-4o"), List.of(rotated.get("models").get(0).asText()));
        assertEquals(401, chat(p, old, "gpt-4o").statusCode());
        assertEquals(200, chat(p, fresh, "gpt-4o").statusCode());
    }

    @Test
    void rotationWithGraceKeepsTheOldSecretForTheGrace() throws Exception {
        ProxyHarness p = proxy();
        JsonNode made = create(p, "{\"name\":\"rot\"}");
        String old = made.get("key").asText();
        long start = System.nanoTime();
        HttpResponse<String> r =
                admin(p, "POST", "/admin/keys/" + made.get("id").asText() + "/rotate", "{\"grace_seconds\":2}");
        assertEquals(200, r.statusCode(), r.body());
        String fresh = json(r.body()).get("key").asText();
        secrets.add(fresh);
        assertEquals(200, chat(p, fresh, "gpt-4o").statusCode());
        HttpResponse<String> during = chat(p, old, "gpt-4o");
        if (System.nanoTime() - start < 1_500_000_000L) {
            assertEquals(200, during.statusCode(), during.body());
        }
        Thread.sleep(Math.max(0, 2_100 - (System.nanoTime() - start) / 1_000_000));
        assertEquals(401, chat(p, old, "gpt-4o").statusCode());
        assertEquals(200, chat(p, fresh, "gpt-4o").statusCode());
    }

    @Test
    void badAdminInputIsRefusedNamingTheField() throws Exception {
        ProxyHarness p = proxy();
        String[][] cases = {
            {"{}", "name"},
            {"{\"name\":\"\"}", "name"},
            {"{\"name\":\"" + "n".repeat(201) + "\"}", "name"},
            {"{\"name\":\"x\",\"models\":\"gpt-4o\"}", "models"},
            {"{\"name\":\"x\",\"models\":[\"g*pt\"]}", "models"},
            {"{\"name\":\"x\",\"budget_usd\":-1}", "budget_usd"},
            {"{\"name\":\"x\",\"budget_usd\":\"5\"}", "budget_usd"},
            {"{\"name\":\"x\",\"budget_usd\":5,\"budget_period\":\"yearly\"}", "budget_period"},
            {"{\"name\":\"x\",\"budget_period\":\"daily\"}", "budget_period"},
            {"{\"name\":\"x\",\"expires_at\":\"tomorrow\"}", "expires_at"},
            {"{\"name\":\"x\",\"rpm\":0}", "rpm"},
            {"{\"name\":\"x\",\"tpm\":1.5}", "tpm"},
            {"{\"name\":\"x\",\"max_parallel\":-2}", "max_parallel"},
            {"{\"name\":\"x\",\"token_quota_daily\":\"many\"}", "token_quota_daily"},
            {"{\"name\":\"x\",\"token_quota_monthly\":0}", "token_quota_monthly"},
            {"{\"name\":\"x\",\"metadata\":[1]}", "metadata"},
            {"{\"name\":\"x\",\"colour\":\"red\"}", "colour"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = admin(p, "POST", "/admin/keys", c[0]);
            assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
            assertError(r.body(), "invalid_request_error", "invalid_value", c[1]);
        }
        HttpResponse<String> notJson = admin(p, "POST", "/admin/keys", "{name");
        assertEquals(400, notJson.statusCode());
        assertError(notJson.body(), "invalid_request_error", "invalid_value", null);

        for (String path : List.of("/admin/keys/999999", "/admin/keys/abc")) {
            HttpResponse<String> r = admin(p, "GET", path, null);
            assertEquals(404, r.statusCode(), path);
            assertError(r.body(), "invalid_request_error", "key_not_found", null);
        }
        assertEquals(404, admin(p, "PATCH", "/admin/keys/999999", "{\"rpm\":5}").statusCode());
        assertEquals(404, admin(p, "DELETE", "/admin/keys/999999", null).statusCode());
        assertEquals(404, admin(p, "POST", "/admin/keys/999999/rotate", null).statusCode());

        String id = create(p, "{\"name\":\"x\"}").get("id").asText();
        HttpResponse<String> badPatch = admin(p, "PATCH", "/admin/keys/" + id, "{\"name\":null}");
        assertEquals(400, badPatch.statusCode(), badPatch.body());
        assertError(badPatch.body(), "invalid_request_error", "invalid_value", "name");
        HttpResponse<String> badGrace = admin(p, "POST", "/admin/keys/" + id + "/rotate", "{\"grace_seconds\":-1}");
        assertError(badGrace.body(), "invalid_request_error", "invalid_value", "grace_seconds");
        for (String q : List.of("limit=0", "limit=1001", "limit=x", "after=-1")) {
            HttpResponse<String> r = admin(p, "GET", "/admin/keys?" + q, null);
            assertEquals(400, r.statusCode(), q);
            assertError(r.body(), "invalid_request_error", "invalid_value", q.substring(0, q.indexOf('=')));
        }

        assertEquals(200, admin(p, "DELETE", "/admin/keys/" + id, null).statusCode());
        HttpResponse<String> patchRevoked = admin(p, "PATCH", "/admin/keys/" + id, "{\"rpm\":5}");
        assertEquals(409, patchRevoked.statusCode());
        assertError(patchRevoked.body(), "invalid_request_error", "key_revoked", null);
        assertEquals(
                409, admin(p, "POST", "/admin/keys/" + id + "/rotate", null).statusCode());
    }

    @Test
    void keysAreListedByIdPagedAndFilteredByName() throws Exception {
        ProxyHarness p = proxy();
        List<String> ids = new ArrayList<>();
        for (String name : List.of("app-one", "batch", "APP-two")) {
            ids.add(create(p, "{\"name\":\"" + name + "\"}").get("id").asText());
        }
        JsonNode page = json(admin(p, "GET", "/admin/keys?limit=2", null).body());
        assertEquals("list", page.get("object").asText());
        assertTrue(page.get("has_more").asBoolean());
        assertEquals(ids.get(1), page.get("last_id").asText());
        assertEquals(2, page.get("data").size());
        assertFalse(page.get("data").get(0).has("key"));
        JsonNode rest = json(
                admin(p, "GET", "/admin/keys?limit=2&after=" + ids.get(1), null).body());
        assertFalse(rest.get("has_more").asBoolean());
        assertEquals(ids.get(2), rest.get("data").get(0).get("id").asText());
        JsonNode named = json(admin(p, "GET", "/admin/keys?name=app", null).body());
        assertEquals(2, named.get("data").size());
        JsonNode none = json(admin(p, "GET", "/admin/keys?name=zzz", null).body());
        assertTrue(none.get("last_id").isNull());
        JsonNode patched = json(admin(
                        p,
                        "PATCH",
                        "/admin/keys/" + ids.get(0),
                        "{\"rpm\":60,\"tpm\":1000,\"max_parallel\":2,\"token_quota_daily\":5,"
                                + "\"token_quota_monthly\":50,\"budget_usd\":3,\"budget_period\":\"weekly\"}")
                .body());
        assertEquals(60, patched.get("rpm").asLong());
        assertEquals("weekly", patched.get("budget_period").asText());
        JsonNode cleared = json(admin(p, "PATCH", "/admin/keys/" + ids.get(0), "{\"rpm\":null,\"budget_usd\":null}")
                .body());
        assertTrue(cleared.get("rpm").isNull());
        assertTrue(cleared.get("budget_usd").isNull());
        assertTrue(cleared.get("budget_period").isNull());
        assertEquals(1000, cleared.get("tpm").asLong());
        assertEquals("app-one", cleared.get("name").asText());
    }

    /**
     * 10,000 requests, each with a different made-up key: every one is refused, and the database
     * sees at most one miss query per half second of the flood (the lookup thread's pace), for no
     * more hashes than the unknown-hash budget (16 a second) and one batch of the clients' let through.
     */
    @Test
    void aFloodOfUnknownKeysMakesAHandfulOfQueries() throws Exception {
        CountingKeyStore store = new CountingKeyStore(KeyStores.sqlite(dir.resolve("keys.db")));
        ProxyHarness p = proxy("{store: off}", s -> s.withKeyStore(store, KeyDirectory.Tuning.DEFAULT));
        String good = create(p, "{\"name\":\"good\"}").get("key").asText();
        assertEquals(200, chat(p, good, "gpt-4o").statusCode());
        long statementsBefore = store.hashStatements.get();
        int total = 10_000;
        int clients = 32;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                runs.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < total; ) {
                        HttpResponse<String> r = p.call("GET", "/v1/models", madeUp(i));
                        if (r.statusCode() == 401) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long queries = store.hashStatements.get() - statementsBefore;
        assertEquals(total, refused.get());
        assertTrue(
                queries <= 2 + 2 * Math.ceil(seconds),
                queries + " miss queries in " + seconds + " s: more than one per half second");
        assertTrue(queries <= 40, queries + " miss queries for " + total + " unknown keys");
        assertTrue(
                store.hashesAsked.get() <= 16 * (1 + Math.ceil(seconds)) + 2 * clients,
                store.hashesAsked.get() + " hashes looked up in " + seconds + " s");
        // A known key is answered from the cache meanwhile and after.
        assertEquals(200, chat(p, good, "gpt-4o").statusCode());
    }

    /** A made-up key of the database keys' shape (a key of another shape is refused without a lookup). */
    private static String madeUp(int i) {
        String key = "sk-aigw-flood" + String.format(java.util.Locale.ROOT, "%038d", i);
        assertTrue(io.aigw.core.keys.NewSecret.isWellFormed(key), key);
        return key;
    }

    /** Two servers on one PostgreSQL schema: a key made on one works on the other; revoked, within 5 s. */
    @Test
    void aRevocationOnOneServerReachesAnotherOnTheSameDatabaseWithinFiveSeconds() throws Exception {
        try (io.aigw.server.testing.TestPostgres pg = io.aigw.server.testing.TestPostgres.require()) {
            String log = "{store: postgres, postgres: {url: \"" + pg.url() + "\", user: postgres}}";
            ProxyHarness a = proxy(log, s -> s);
            ProxyHarness b = proxy(log, s -> s);
            JsonNode made = create(a, "{\"name\":\"shared\"}");
            String key = made.get("key").asText();
            assertEquals(200, chat(b, key, "gpt-4o").statusCode()); // looked up on b, now cached there
            assertEquals(
                    200,
                    admin(a, "DELETE", "/admin/keys/" + made.get("id").asText(), null)
                            .statusCode());
            assertEquals(401, chat(a, key, "gpt-4o").statusCode());
            long revokedAt = System.nanoTime();
            HttpResponse<String> r;
            do {
                Thread.sleep(100);
                r = chat(b, key, "gpt-4o");
            } while (r.statusCode() == 200 && System.nanoTime() - revokedAt < 6_000_000_000L);
            double seconds = (System.nanoTime() - revokedAt) / 1e9;
            assertEquals(401, r.statusCode(), "still accepted after " + seconds + " s");
            assertTrue(seconds < 5, "seen after " + seconds + " s");
            assertTrue(json(r.body()).get("error").get("message").asText().contains("revoked"));

            // Spend is shared too: b's exchanges show in a's view.
            JsonNode shown =
                    json(admin(a, "GET", "/admin/keys/" + made.get("id").asText(), null)
                            .body());
            assertNotNull(shown.get("spend"));
            for (ProxyHarness h : List.of(a, b)) {
                h.close();
            }
            proxies.removeAll(List.of(a, b));
        }
    }

    @Test
    void keysStoreOffLeavesOnlyConfigKeys() throws Exception {
        ProxyHarness p = ProxyHarness.startYaml(yaml("{store: off}") + "keys: {store: off}\n");
        proxies.add(p);
        assertEquals(404, admin(p, "GET", "/admin/keys", null).statusCode());
        assertEquals(200, chat(p, ProxyHarness.KEY, "gpt-4o").statusCode());
        assertEquals(401, chat(p, "sk-aigw-some-database-key-0000", "gpt-4o").statusCode());
        assertTrue(p.server().clientKeys() == null);
    }
}
