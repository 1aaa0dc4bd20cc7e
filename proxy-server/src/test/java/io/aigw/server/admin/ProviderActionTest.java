package io.aigw.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.routing.CircuitBreaker.State;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.KeyPool;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProviderActionTest {
    private static final long MS = 1_000_000L;

    private final AdminFixture f = new AdminFixture();

    ProviderActionTest() throws Exception {}

    private State state(String provider, String model) {
        return f.deployment(provider, model).breaker().state(f.now.get());
    }

    @Test
    void parsesTheLowerCasePathSegment() {
        assertEquals(Optional.of(ProviderAction.ENABLE), ProviderAction.parse("enable"));
        assertEquals(Optional.of(ProviderAction.DISABLE), ProviderAction.parse("disable"));
        assertEquals(Optional.of(ProviderAction.RESET), ProviderAction.parse("reset"));
        assertEquals(Optional.empty(), ProviderAction.parse("RESET"));
        assertEquals(Optional.empty(), ProviderAction.parse("explode"));
        assertEquals(Optional.empty(), ProviderAction.parse(""));
    }

    @Test
    void disableTakesOutEveryDeploymentOfThatProviderOnly() {
        ProviderAction.DISABLE.apply(f.provider("a"));
        assertEquals(State.DISABLED, state("a", "m"));
        assertEquals(State.DISABLED, state("a", "solo"));
        assertEquals(State.CLOSED, state("b", "m"));
        assertFalse(f.deployment("a", "m").breaker().tryAcquire(f.now.get()));
        f.now.addAndGet(3_600_000 * MS);
        assertEquals(State.DISABLED, state("a", "m"), "no cooldown ends a disable");
    }

    @Test
    void enableBringsThemBackAndKeepsThemIn() {
        ProviderAction.DISABLE.apply(f.provider("a"));
        ProviderAction.ENABLE.apply(f.provider("a"));
        DeploymentState m = f.deployment("a", "m");
        for (int i = 0; i < 5; i++) {
            m.breaker().onFailure(f.now.get());
        }
        assertEquals(State.CLOSED, state("a", "m"), "an enabled deployment does not trip");
        assertTrue(m.breaker().tryAcquire(f.now.get()));
    }

    @Test
    void resetGivesFreshBreakersAndEveryKeyBack() {
        long now = f.now.get();
        DeploymentState m = f.deployment("a", "m");
        for (int i = 0; i < 3; i++) {
            m.breaker().onFailure(now);
        }
        KeyPool pool = f.provider("a").keys();
        pool.remove(pool.keys().get(0), "HTTP 401");
        pool.coolFor(pool.keys().get(1), 60_000 * MS, now);
        assertEquals(State.OPEN, state("a", "m"));
        assertFalse(pool.anyUsable(now));

        ProviderAction.RESET.apply(f.provider("a"));
        assertEquals(State.CLOSED, state("a", "m"));
        assertEquals(0, m.breaker().consecutiveFailures());
        assertTrue(pool.keys().get(0).isUsable(now));
        assertTrue(pool.keys().get(1).isUsable(now));
        for (int i = 0; i < 3; i++) {
            m.breaker().onFailure(now);
        }
        assertEquals(State.OPEN, state("a", "m"), "back under automatic control");
    }

    @Test
    void resetEndsADisableToo() {
        ProviderAction.DISABLE.apply(f.provider("b"));
        ProviderAction.RESET.apply(f.provider("b"));
        assertEquals(State.CLOSED, state("b", "m"));
        assertEquals(State.CLOSED, state("b", "b/*"));
    }
}
