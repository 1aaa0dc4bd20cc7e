package io.aigw.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.KeyPool;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProvidersJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MS = 1_000_000L;

    private final AdminFixture f = new AdminFixture();

    ProvidersJsonTest() throws Exception {}

    private JsonNode all() throws Exception {
        String body = new String(ProvidersJson.all(f.providers, f.now.get()), StandardCharsets.UTF_8);
        assertFalse(body.contains(AdminFixture.KEY_1) || body.contains(AdminFixture.KEY_2), "never a key: " + body);
        return JSON.readTree(body);
    }

    private static JsonNode provider(JsonNode all, String name) {
        for (JsonNode p : all.get("providers")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no provider " + name + " in " + all);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void everyProviderInConfigOrderWithItsKeysAndDeployments() throws Exception {
        JsonNode all = all();
        assertEquals(List.of("providers"), fieldNames(all));
        assertEquals(List.of("a", "b", "idle"), all.get("providers").findValuesAsText("name"));

        JsonNode a = provider(all, "a");
        assertEquals(List.of("name", "type", "key_strategy", "keys", "deployments"), fieldNames(a));
        assertEquals("openai", a.get("type").asText());
        assertEquals("priority", a.get("key_strategy").asText());
        assertEquals(2, a.get("keys").size());
        JsonNode key = a.get("keys").get(1);
        assertEquals(
                List.of("index", "hash", "state", "cooldown_remaining_ms", "in_flight", "removed_reason"),
                fieldNames(key));
        assertEquals(1, key.get("index").asInt());
        assertEquals(
                KeyHash.ofKey(AdminFixture.KEY_2).toString(), key.get("hash").asText());
        assertEquals("active", key.get("state").asText());
        assertEquals(0, key.get("cooldown_remaining_ms").asLong());
        assertEquals(0, key.get("in_flight").asInt());
        assertTrue(key.get("removed_reason").isNull());

        assertEquals(List.of("m", "solo"), a.get("deployments").findValuesAsText("model"));
        JsonNode d = a.get("deployments").get(0);
        assertEquals(
                List.of(
                        "model",
                        "deployment",
                        "model_id",
                        "priority",
                        "weight",
                        "breaker",
                        "consecutive_failures",
                        "cooldown_remaining_ms",
                        "ewma_ttfb_ms",
                        "in_flight"),
                fieldNames(d));
        assertEquals("m@a", d.get("deployment").asText());
        assertEquals("a-model", d.get("model_id").asText());
        assertEquals(0, d.get("priority").asInt());
        assertEquals(1, d.get("weight").asInt());
        assertEquals("closed", d.get("breaker").asText());
        assertEquals(0, d.get("consecutive_failures").asInt());
        assertEquals(0, d.get("cooldown_remaining_ms").asLong());
        assertTrue(d.get("ewma_ttfb_ms").isNull(), "not measured yet: " + d);
        assertEquals(0, d.get("in_flight").asInt());

        JsonNode b = provider(all, "b");
        assertEquals("anthropic", b.get("type").asText());
        assertEquals(0, b.get("keys").size(), "no key configured");
        assertEquals(List.of("m", "b/*"), b.get("deployments").findValuesAsText("model"));
        assertEquals(2, b.get("deployments").get(0).get("weight").asInt());
        assertEquals(1, b.get("deployments").get(0).get("priority").asInt());
        assertTrue(b.get("deployments").get(1).get("model_id").isNull(), "a wildcard takes the client's name");

        assertEquals(0, provider(all, "idle").get("deployments").size(), "a provider no model routes to");
    }

    @Test
    void breakerAndLatencyStateAsOfNow() throws Exception {
        long now = f.now.get();
        DeploymentState m = f.deployment("a", "m");
        m.breaker().onFailure(now);
        m.latency().onStart();
        m.latency().onFinish(20 * MS + 1234, now);
        m.latency().onStart();
        DeploymentState solo = f.deployment("a", "solo");
        for (int i = 0; i < 3; i++) {
            solo.breaker().onFailure(now);
        }
        f.deployment("b", "m").breaker().disable();
        f.deployment("b", "b/*").breaker().coolFor(2_500 * MS, now);
        f.now.addAndGet(1_000 * MS + 1); // crosses Long.MAX_VALUE

        JsonNode a = provider(all(), "a").get("deployments");
        assertEquals("closed", a.get(0).get("breaker").asText());
        assertEquals(1, a.get(0).get("consecutive_failures").asInt());
        assertEquals(20.001, a.get(0).get("ewma_ttfb_ms").asDouble(), 1e-9, "ms to the microsecond");
        assertEquals(1, a.get(0).get("in_flight").asInt());
        assertEquals("open", a.get(1).get("breaker").asText());
        assertEquals(3, a.get(1).get("consecutive_failures").asInt());
        assertEquals(599_000, a.get(1).get("cooldown_remaining_ms").asLong(), "rounded up");

        JsonNode b = provider(all(), "b").get("deployments");
        assertEquals("disabled", b.get(0).get("breaker").asText());
        assertTrue(b.get(0).get("cooldown_remaining_ms").isNull(), "out until an operator says otherwise");
        assertEquals("cooling", b.get(1).get("breaker").asText());
        assertEquals(1_500, b.get(1).get("cooldown_remaining_ms").asLong());

        f.now.addAndGet(600_000 * MS);
        assertEquals(
                "half_open",
                provider(all(), "a").get("deployments").get(1).get("breaker").asText());
    }

    @Test
    void keysAreShownByHashWithTheirState() throws Exception {
        long now = f.now.get();
        KeyPool pool = f.provider("a").keys();
        pool.remove(pool.keys().get(0), "HTTP 401");
        pool.coolFor(pool.keys().get(1), 1_500 * MS, now);
        pool.onStart(pool.keys().get(1));

        JsonNode keys = provider(all(), "a").get("keys");
        assertEquals("removed", keys.get(0).get("state").asText());
        assertEquals("HTTP 401", keys.get(0).get("removed_reason").asText());
        assertEquals(
                KeyHash.ofKey(AdminFixture.KEY_1).toString(),
                keys.get(0).get("hash").asText());
        assertEquals("cooling", keys.get(1).get("state").asText());
        assertEquals(1_500, keys.get(1).get("cooldown_remaining_ms").asLong());
        assertEquals(1, keys.get(1).get("in_flight").asInt());

        f.now.addAndGet(1_500 * MS);
        assertEquals(
                "active", provider(all(), "a").get("keys").get(1).get("state").asText());
    }

    @Test
    void oneProviderIsTheSameObjectAsInTheList() throws Exception {
        f.deployment("a", "m").breaker().onFailure(f.now.get());
        JsonNode one = JSON.readTree(ProvidersJson.one(f.provider("a"), f.now.get()));
        assertEquals(provider(all(), "a"), one);
    }
}
