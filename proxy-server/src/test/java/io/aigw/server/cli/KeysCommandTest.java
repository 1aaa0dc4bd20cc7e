package io.aigw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code aigw keys ...} against a stand-in for the /admin/keys API: the requests, the output, the exit codes. */
class KeysCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeAdminKeysApi api;
    private Map<String, String> env;
    private final List<CliRun> runs = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        api = new FakeAdminKeysApi();
        env = Map.of("AIGW_URL", api.url(), "AIGW_ADMIN_KEY", FakeAdminKeysApi.ADMIN_KEY);
    }

    /** No run of any test printed the admin key, anywhere. */
    @AfterEach
    void stop() {
        api.close();
        for (CliRun r : runs) {
            assertFalse(r.out().contains(FakeAdminKeysApi.ADMIN_KEY), r.toString());
            assertFalse(r.err().contains(FakeAdminKeysApi.ADMIN_KEY), r.toString());
        }
    }

    private CliRun cli(String... args) {
        CliRun r = CliRun.run(env, args);
        runs.add(r);
        return r;
    }

    private FakeAdminKeysApi.Request last() {
        return api.requests.get(api.requests.size() - 1);
    }

    @Test
    void createSendsTheContractsFieldsAndShowsTheKeyOnce() throws Exception {
        CliRun r = cli(
                "keys",
                "create",
                "--name",
                "ci-bot",
                "--model",
                "gpt-4o*",
                "--model",
                "gpt-4o-mini",
                "--budget-usd",
                "12.50",
                "--budget-period",
                "monthly",
                "--expires-at",
                "2027-01-31T00:00:00Z",
                "--rpm",
                "60",
                "--tpm",
                "100000",
                "--max-parallel",
                "4",
                "--metadata",
                "{\"team\":\"search\"}");
        assertEquals(0, r.code(), r.toString());
        FakeAdminKeysApi.Request req = last();
        assertEquals("POST", req.method());
        assertEquals("/admin/keys", req.uri());
        assertEquals("Bearer " + FakeAdminKeysApi.ADMIN_KEY, req.authorization());
        JsonNode body = req.json();
        assertEquals("ci-bot", body.get("name").asText());
        assertEquals(
                List.of("gpt-4o*", "gpt-4o-mini"),
                List.of(
                        body.get("models").get(0).asText(),
                        body.get("models").get(1).asText()));
        assertEquals(12.5, body.get("budget_usd").asDouble());
        assertTrue(body.get("budget_usd").isNumber(), body.toString());
        assertEquals("monthly", body.get("budget_period").asText());
        assertEquals("2027-01-31T00:00:00Z", body.get("expires_at").asText());
        assertEquals(60, body.get("rpm").asInt());
        assertEquals(100000, body.get("tpm").asInt());
        assertEquals(4, body.get("max_parallel").asInt());
        assertEquals("search", body.get("metadata").get("team").asText());
        assertFalse(body.has("token_quota_daily"), "options not given are not sent");

        assertTrue(r.out().startsWith("Created key key_1 (ci-bot)."), r.out());
        assertTrue(r.out().contains("shown only this once"), r.out());
        assertTrue(r.out().contains("\n      sk-aigw-new-secret-key_1\n"), r.out());
        assertEquals(1, r.out().split("sk-aigw-new-secret-key_1", -1).length - 1, "the key is printed once");
        assertTrue(r.out().contains("models               gpt-4o*,gpt-4o-mini"), r.out());
        assertTrue(r.out().contains("budget_usd           12.5"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void expiresAtMayBeATimeFromNow() throws Exception {
        java.time.Instant before = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        CliRun r = cli("keys", "create", "--name", "temp", "--expires-at", "30d");
        assertEquals(0, r.code(), r.toString());
        java.time.Instant sent =
                java.time.Instant.parse(last().json().get("expires_at").asText());
        java.time.Instant expected = before.plus(java.time.Duration.ofDays(30));
        assertTrue(!sent.isBefore(expected) && sent.isBefore(expected.plusSeconds(60)), sent.toString());
    }

    @Test
    void createWithJsonPrintsTheAnswerAsIs() throws Exception {
        CliRun r = cli("keys", "create", "--name", "a", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode answer = JSON.readTree(r.out());
        assertEquals("sk-aigw-new-secret-key_1", answer.get("key").asText());
        assertEquals("api_key", answer.get("object").asText());
        assertEquals(1, r.out().strip().lines().count(), "one JSON document");
    }

    @Test
    void listShowsATableAndPassesTheFilters() throws Exception {
        api.add("alpha");
        api.add("beta").put("revoked_at", "2026-12-01T00:00:00Z");
        api.add("gamma").put("budget_usd", 5).put("budget_period", "daily");
        CliRun all = cli("keys", "list");
        assertEquals(0, all.code(), all.toString());
        assertEquals("GET", last().method());
        assertEquals("/admin/keys", last().uri());
        List<String> lines = all.out().lines().toList();
        assertTrue(lines.get(0).startsWith("ID     NAME   PREFIX"), all.out());
        assertEquals(4, lines.size(), all.out());
        assertTrue(lines.get(1).startsWith("key_3  gamma") && lines.get(1).contains("5 USD/daily"), all.out());
        assertTrue(lines.get(2).startsWith("key_2  beta") && lines.get(2).endsWith("revoked"), all.out());
        assertTrue(lines.get(3).contains("(all)") && lines.get(3).endsWith("active"), all.out());

        CliRun page = cli("keys", "list", "--name", "a b", "--limit", "1");
        assertEquals(0, page.code(), page.toString());
        assertEquals("/admin/keys?name=a%20b&limit=1", last().uri());

        CliRun more = cli("keys", "list", "--limit", "2");
        assertTrue(more.out().contains("(more: --after key_2)"), more.out());
        CliRun json = cli("keys", "list", "--json");
        assertEquals(3, JSON.readTree(json.out()).get("data").size());
    }

    @Test
    void showIncludesTheSpend() {
        api.add("alpha");
        CliRun r = cli("keys", "show", "key_1");
        assertEquals(0, r.code(), r.toString());
        assertEquals("/admin/keys/key_1", last().uri());
        assertTrue(r.out().contains("name                 alpha"), r.out());
        assertTrue(
                r.out()
                        .contains("spend                1.2345 USD in the monthly period from 2026-12-01T00:00:00Z;"
                                + " 1000 input / 250 output tokens, 12 requests"),
                r.out());
        assertFalse(r.out().contains("sk-aigw-new-secret"));
    }

    @Test
    void revokeDeletes() {
        api.add("alpha");
        CliRun r = cli("keys", "revoke", "key_1");
        assertEquals(0, r.code(), r.toString());
        assertEquals("DELETE", last().method());
        assertEquals("/admin/keys/key_1", last().uri());
        assertEquals("Revoked key key_1 (alpha) at 2026-12-06T06:00:00Z.\n", r.out());
    }

    @Test
    void rotatePostsTheGraceAndShowsTheNewKeyOnce() throws Exception {
        api.add("alpha");
        CliRun r = cli("keys", "rotate", "key_1", "--grace-seconds", "300");
        assertEquals(0, r.code(), r.toString());
        assertEquals("POST", last().method());
        assertEquals("/admin/keys/key_1/rotate", last().uri());
        assertEquals(300, last().json().get("grace_seconds").asInt());
        assertTrue(r.out().contains("keeps working for 300 s"), r.out());
        assertTrue(r.out().contains("\n      sk-aigw-rotated-secret-key_1\n"), r.out());

        CliRun now = cli("keys", "rotate", "key_1");
        assertEquals(0, now.code(), now.toString());
        assertEquals("{}", last().body());
        assertTrue(now.out().contains("no longer works"), now.out());
    }

    @Test
    void aRefusalIsExit1WithTheServersMessage() throws Exception {
        CliRun r = cli("keys", "show", "key_nope");
        assertEquals(1, r.code(), r.toString());
        assertEquals("aigw: HTTP 404: No key with id 'key_nope'.\n", r.err());
        assertEquals("", r.out());

        CliRun bad = cli("keys", "create", "--name", "x", "--budget-period", "yearly");
        assertEquals(1, bad.code(), bad.toString());
        assertEquals("aigw: HTTP 400: budget_period: expected daily, weekly, monthly or total.\n", bad.err());

        // --json still gives scripts the server's error object on stdout.
        CliRun json = cli("keys", "revoke", "key_nope", "--json");
        assertEquals(1, json.code(), json.toString());
        assertEquals(
                "key_not_found",
                JSON.readTree(json.out()).get("error").get("code").asText());
    }

    @Test
    void aWrongAdminKeyIsARefusal() {
        env = Map.of("AIGW_URL", api.url(), "AIGW_ADMIN_KEY", "sk-not-the-admin-key");
        CliRun r = cli("keys", "list");
        assertEquals(1, r.code(), r.toString());
        assertEquals("aigw: HTTP 401: Invalid admin key.\n", r.err());
        assertFalse(r.err().contains("sk-not-the-admin-key"));
    }

    @Test
    void aServerFailureOrNoServerIsExit3() throws Exception {
        CliRun r = cli("keys", "show", "boom");
        assertEquals(3, r.code(), r.toString());
        assertEquals("aigw: HTTP 500: The key store did not answer.\n", r.err());

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRun down = cli("keys", "list", "--url", "http://127.0.0.1:" + closed);
        assertEquals(3, down.code(), down.toString());
        assertEquals("aigw: cannot connect to http://127.0.0.1:" + closed + ": connection refused\n", down.err());
    }

    @Test
    void usageErrorsAreExit2AndSendNothing() {
        env = Map.of("AIGW_URL", api.url());
        CliRun noKey = cli("keys", "list");
        assertEquals(2, noKey.code(), noKey.toString());
        assertTrue(noKey.err().contains("set AIGW_ADMIN_KEY"), noKey.err());

        env = Map.of("AIGW_URL", api.url(), "AIGW_ADMIN_KEY", FakeAdminKeysApi.ADMIN_KEY);
        assertEquals(2, cli("keys", "create").code(), "--name is required");
        assertEquals(2, cli("keys", "create", "--name", "x", "--rpm", "many").code());
        assertEquals(
                2,
                cli("keys", "create", "--name", "x", "--metadata", "{not json").code());
        assertEquals(
                2, cli("keys", "create", "--name", "x", "--metadata", "[1]").code());
        assertEquals(
                2,
                cli("keys", "create", "--name", "x", "--expires-at", "tomorrow").code());
        assertEquals(2, cli("keys", "show").code(), "ID is required");
        assertEquals(2, cli("keys", "frobnicate").code());
        assertEquals(2, cli("keys").code(), "a subcommand is required");
        assertEquals(2, cli("keys", "list", "--url", "ftp://h").code());
        assertEquals(2, cli("keys", "list", "--admin-key", "sk-x").code(), "there is no --admin-key");
        assertEquals(List.of(), api.requests, "nothing was sent");
    }

    @Test
    void theUrlOptionWinsOverTheEnvironment() {
        env = Map.of("AIGW_URL", "http://127.0.0.1:1", "AIGW_ADMIN_KEY", FakeAdminKeysApi.ADMIN_KEY);
        CliRun r = cli("keys", "list", "--url", api.url() + "/");
        assertEquals(0, r.code(), r.toString());
        assertEquals("/admin/keys", last().uri());
    }
}
