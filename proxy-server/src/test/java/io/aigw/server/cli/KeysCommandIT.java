package io.aigw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.it.ProxyHarness;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aigw keys ...} against the real server and its key store (the default SQLite database): the
 * CLI and the admin API it speaks, end to end, and the keys it makes working, rotated and revoked.
 */
class KeysCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMPLETION =
            "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";

    @TempDir
    Path dir;

    private final List<CliRun> runs = new ArrayList<>();

    private ProxyHarness proxy(TestUpstream upstream) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                data_dir: "%s"
                request_log: {store: off}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret-keys-cli}
                models:
                  gpt-4o: {retries: {count: 0}, providers: {mock: {model_id: gpt-4o}}}
                  claude-3: {retries: {count: 0}, providers: {mock: {model_id: claude-3}}}
                """.formatted(ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, dir, upstream.baseUrl()));
    }

    private CliRun cli(ProxyHarness proxy, String... args) {
        CliRun r = CliRun.run(Map.of("AIGW_URL", proxy.url(""), "AIGW_ADMIN_KEY", ProxyHarness.ADMIN_KEY), args);
        runs.add(r);
        return r;
    }

    private static int chat(ProxyHarness proxy, String key, String model) throws Exception {
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .build());
        return r.statusCode();
    }

    @Test
    void keysMadeRotatedAndRevokedByTheCliWorkAndStopWorkingOnTheRealServer() throws Exception {
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = proxy(upstream)) {
            upstream.setDefault(r -> Reply.json(200, COMPLETION));

            CliRun made = cli(proxy, "keys", "create", "--name", "cli-it", "--model", "gpt-4o*", "--json");
            assertEquals(0, made.code(), made.toString());
            JsonNode key = JSON.readTree(made.out());
            String secret = key.get("key").asText();
            String id = key.get("id").asText();
            assertTrue(secret.startsWith("sk-aigw-"), made.out());
            assertEquals(200, chat(proxy, secret, "gpt-4o"), "works at once");
            assertEquals(403, chat(proxy, secret, "claude-3"), "only gpt-4o*");

            CliRun human = cli(proxy, "keys", "list");
            assertEquals(0, human.code(), human.toString());
            assertTrue(human.out().contains("cli-it"), human.out());
            assertFalse(human.out().contains(secret), "a key is shown once, at creation: " + human.out());

            CliRun shown = cli(proxy, "keys", "show", id, "--json");
            assertEquals(0, shown.code(), shown.toString());
            JsonNode spend = JSON.readTree(shown.out()).get("spend");
            assertEquals(1, spend.get("requests").asLong(), shown.out());
            assertEquals(11, spend.get("input_tokens").asLong());

            CliRun rotated = cli(proxy, "keys", "rotate", id, "--json");
            assertEquals(0, rotated.code(), rotated.toString());
            String next = JSON.readTree(rotated.out()).get("key").asText();
            assertEquals(401, chat(proxy, secret, "gpt-4o"), "the old secret stops at once (no grace)");
            assertEquals(200, chat(proxy, next, "gpt-4o"));

            CliRun revoked = cli(proxy, "keys", "revoke", id);
            assertEquals(0, revoked.code(), revoked.toString());
            assertEquals(401, chat(proxy, next, "gpt-4o"), "revoked: the next request is refused");

            CliRun missing = cli(proxy, "keys", "show", "987654321");
            assertEquals(1, missing.code(), "an unknown id is the server refusing: " + missing);
            assertTrue(missing.err().contains("aigw:"), missing.toString());

            for (CliRun r : runs) {
                assertFalse(
                        r.out().contains(ProxyHarness.ADMIN_KEY) || r.err().contains(ProxyHarness.ADMIN_KEY),
                        r.toString());
            }
        }
    }
}
