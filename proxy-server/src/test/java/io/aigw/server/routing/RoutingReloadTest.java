package io.aigw.server.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.routing.CircuitBreaker;
import io.aigw.core.routing.Clock;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.dialect.Dialects;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a reload's routing keeps of the running one: deployments' and keys' state, matched by name and hash. */
class RoutingReloadTest {
    private static final long NOW = 1_000_000_000L;

    private static ProxyConfig config(String providers, String models) throws Exception {
        return new ConfigLoader(Dialects.TYPES, Map.of())
                .parse("providers:\n" + providers + "models:\n" + models, "test.yaml");
    }

    private static final String PROVIDERS = """
              a: {type: openai, base_url: "http://127.0.0.1:1/v1", api_keys: [sk-key-one-aaaa, sk-key-two-bbbb]}
              b: {type: openai, base_url: "http://127.0.0.1:2/v1", api_key: sk-key-b-cccc, breaker: {failures: 2}}
            """;

    private static DeploymentState deployment(Routing routing, String model, String provider) {
        return routing.routes().match(model).orElseThrow().route().deployments().keySet().stream()
                .filter(d -> d.provider().equals(provider))
                .findFirst()
                .orElseThrow();
    }

    private static Routing routing(ProxyConfig config) {
        return Routing.of(config, Clock.system(), Waits.scheduled());
    }

    @Test
    void anUnchangedDeploymentIsKeptAsItIsAChangedOneKeepsItsState() throws Exception {
        Routing before = routing(config(PROVIDERS, """
                  m: {providers: {a: {model_id: x}, b: {model_id: y, priority: 1}}}
                  n: {providers: {b: {model_id: z}}}
                  gone: {providers: {a: {model_id: g}}}
                """));
        DeploymentState ma = deployment(before, "m", "a");
        DeploymentState mb = deployment(before, "m", "b");
        DeploymentState nb = deployment(before, "n", "b");
        for (int i = 0; i < 2; i++) {
            mb.breaker().onFailure(NOW);
        }
        ma.latency().observe(7_000_000, NOW);
        ma.latency().onStart();
        nb.breaker().disable();

        Routing after =
                before.reloaded(config(PROVIDERS.replace("breaker: {failures: 2}", "breaker: {failures: 5}"), """
                  m: {providers: {a: {model_id: x, priority: 2}, b: {model_id: y, priority: 1}}}
                  n: {providers: {b: {model_id: z}}}
                  fresh: {providers: {a: {model_id: f}}}
                """));

        DeploymentState ma2 = deployment(after, "m", "a");
        assertNotSame(ma, ma2, "the priority changed");
        assertEquals(2, ma2.priority());
        assertSame(ma.breaker(), ma2.breaker(), "same policy: the very breaker");
        assertSame(ma.latency(), ma2.latency(), "EWMA and in-flight count carried");
        assertEquals(1, ma2.latency().inFlight());

        DeploymentState mb2 = deployment(after, "m", "b");
        assertEquals(5, mb2.breaker().policy().failures(), "the new breaker policy applies");
        assertEquals(CircuitBreaker.State.OPEN, mb2.breaker().state(NOW), "and the open breaker stays open");
        assertEquals(2, mb2.breaker().consecutiveFailures());

        assertEquals(
                CircuitBreaker.State.DISABLED,
                deployment(after, "n", "b").breaker().state(NOW));
        assertTrue(after.routes().match("gone").isEmpty());
        assertEquals(
                CircuitBreaker.State.CLOSED,
                deployment(after, "fresh", "a").breaker().state(NOW));
        assertSame(before.clock(), after.clock());
    }

    @Test
    void aNewModelIdOrARenamedProviderIsANewDeploymentWithFreshState() throws Exception {
        String renamed =
                PROVIDERS + "  c: {type: openai, base_url: \"http://127.0.0.1:2/v1\", api_key: sk-key-b-cccc}\n";
        Routing before = routing(config(renamed, """
                  m: {providers: {b: {model_id: y}}}
                  n: {providers: {b: {model_id: z}}}
                """));
        DeploymentState mb = deployment(before, "m", "b");
        DeploymentState nb = deployment(before, "n", "b");
        for (int i = 0; i < 2; i++) {
            mb.breaker().onFailure(NOW);
            nb.breaker().onFailure(NOW);
        }
        mb.latency().observe(7_000_000, NOW);
        assertEquals(CircuitBreaker.State.OPEN, mb.breaker().state(NOW));

        // m now asks b for another model (the fix an operator makes for a failing one); n moves to c.
        Routing after = before.reloaded(config(renamed, """
                  m: {providers: {b: {model_id: y2}}}
                  n: {providers: {c: {model_id: z}}}
                """));
        DeploymentState mb2 = deployment(after, "m", "b");
        assertEquals("y2", mb2.modelId());
        assertEquals(CircuitBreaker.State.CLOSED, mb2.breaker().state(NOW), "another model: not the old one's breaker");
        assertNotSame(mb.latency(), mb2.latency(), "nor its latency");
        assertEquals(
                CircuitBreaker.State.CLOSED,
                deployment(after, "n", "c").breaker().state(NOW));
    }

    @Test
    void anUnchangedDeploymentIsTheSameObject() throws Exception {
        String models = "  m: {providers: {a: {model_id: x}}}\n";
        Routing before = routing(config(PROVIDERS, models));
        Routing after = before.reloaded(config(PROVIDERS, models + "  other: {providers: {b: {model_id: o}}}\n"));
        assertSame(deployment(before, "m", "a"), deployment(after, "m", "a"));
        assertSame(before.keys().get("a"), after.keys().get("a"), "same keys: the very pool");
    }

    @Test
    void keysStillPresentKeepTheirStateMatchedByHash() throws Exception {
        String models = "  m: {providers: {a: {model_id: x}}}\n";
        Routing before = routing(config(PROVIDERS, models));
        KeyPool pool = before.keys().get("a");
        KeyPool.Key one = pool.keys().get(0);
        KeyPool.Key two = pool.keys().get(1);
        pool.remove(one, "401 from the provider");
        pool.coolFor(two, 60_000_000_000L, NOW);

        // Key two moves first, key one stays, a third comes.
        Routing after = before.reloaded(config(
                PROVIDERS.replace(
                        "[sk-key-one-aaaa, sk-key-two-bbbb]", "[sk-key-two-bbbb, sk-key-one-aaaa, sk-key-3-dddd]"),
                models));
        KeyPool next = after.keys().get("a");
        assertNotSame(pool, next);
        assertEquals(3, next.size());
        assertEquals(KeyHash.ofKey("sk-key-two-bbbb"), next.keys().get(0).hash());
        assertTrue(next.keys().get(0).isCooling(NOW), "the cooling key still cools");
        assertTrue(next.keys().get(1).isRemoved(), "the removed key stays removed");
        assertFalse(next.keys().get(2).isRemoved() || next.keys().get(2).isCooling(NOW), "a new key starts usable");
        assertSame(before.keys().get("b"), after.keys().get("b"));
    }
}
