package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /admin/config} over a real socket: admin key only, and the running config's facts (never
 * its content) at the start, after a reload that changed something and after a refused one.
 */
class ConfigFactsIT {
    @TempDir
    Path dir;

    private static String yaml(String models) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 1}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  a: {type: openai, base_url: "http://127.0.0.1:9", api_key: sk-provider-a-secret}
                models:
                %s
                """.formatted(ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, models);
    }

    private static final String ONE_MODEL = "  m: {providers: {a: {model_id: m-id}}}";
    private static final String TWO_MODELS = ONE_MODEL + "\n  n: {providers: {a: {model_id: n-id}}}";

    private static JsonNode facts(ProxyHarness proxy) throws Exception {
        HttpResponse<String> r = proxy.adminGet("/admin/config");
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(r.body().contains("sk-"), "no key in the facts: " + r.body());
        assertFalse(r.body().contains("127.0.0.1:9"), "no config content: " + r.body());
        return json(r.body());
    }

    @Test
    void theRunningConfigsFactsBeforeAndAfterReloads() throws Exception {
        Path file = dir.resolve("aigw.yaml");
        Files.writeString(file, yaml(ONE_MODEL), StandardCharsets.UTF_8);
        try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
            assertEquals(401, proxy.call("GET", "/admin/config", null).statusCode());
            assertEquals(
                    401, proxy.call("GET", "/admin/config", ProxyHarness.KEY).statusCode(), "a client key");

            JsonNode start = facts(proxy);
            assertEquals(0, start.get("version").asLong());
            Instant loaded = Instant.parse(start.get("loaded_at").asText());
            assertEquals(file.toAbsolutePath().toString(), start.get("file").asText());
            assertTrue(start.get("reload_available").asBoolean());
            assertFalse(start.get("config_watch").asBoolean());
            assertEquals(1, start.get("providers").asInt());
            assertEquals(1, start.get("models").asInt());
            assertTrue(start.get("last_reload").isNull(), start.toString());

            Files.writeString(file, yaml(TWO_MODELS), StandardCharsets.UTF_8);
            assertEquals(200, proxy.adminPost("/admin/config/reload").statusCode());
            JsonNode reloaded = facts(proxy);
            assertEquals(1, reloaded.get("version").asLong());
            assertEquals(2, reloaded.get("models").asInt());
            assertFalse(Instant.parse(reloaded.get("loaded_at").asText()).isBefore(loaded));
            JsonNode last = reloaded.get("last_reload");
            assertEquals("reloaded", last.get("status").asText(), last.toString());
            assertTrue(last.get("error").isNull());
            assertEquals("models.n", last.get("changed").get(0).asText());
            assertEquals(0, last.get("restart_required").size());
            Instant reloadedAt = Instant.parse(last.get("at").asText());

            Files.writeString(file, yaml("  m: {providers: {nowhere: {}}}"), StandardCharsets.UTF_8);
            assertEquals(400, proxy.adminPost("/admin/config/reload").statusCode());
            JsonNode refused = facts(proxy);
            assertEquals(1, refused.get("version").asLong(), "the running config stays");
            assertEquals(2, refused.get("models").asInt());
            assertEquals(
                    reloaded.get("loaded_at").asText(), refused.get("loaded_at").asText());
            JsonNode failed = refused.get("last_reload");
            assertEquals("failed", failed.get("status").asText(), failed.toString());
            assertTrue(failed.get("error").asText().contains("nowhere"), failed.toString());
            assertFalse(Instant.parse(failed.get("at").asText()).isBefore(reloadedAt));

            Files.writeString(file, yaml(TWO_MODELS).replace("io_threads: 1", "io_threads: 2"), StandardCharsets.UTF_8);
            assertEquals(200, proxy.adminPost("/admin/config/reload").statusCode());
            JsonNode restart = facts(proxy).get("last_reload");
            assertEquals("unchanged", restart.get("status").asText(), restart.toString());
            assertEquals(
                    "server.io_threads", restart.get("restart_required").get(0).asText());
        }
    }

    @Test
    void aServerGivenItsConfigInCodeHasNoFileToReload() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.startYaml(yaml(ONE_MODEL))) {
            JsonNode facts = facts(proxy);
            assertTrue(facts.get("file").isNull(), facts.toString());
            assertFalse(facts.get("reload_available").asBoolean());
            assertEquals(0, facts.get("version").asLong());
            assertTrue(facts.get("last_reload").isNull());
        }
    }
}
