package io.aigw.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProviderConfig.KeyStrategy;
import io.aigw.core.config.TlsConfig;
import io.aigw.core.config.UpstreamSettings;
import io.aigw.core.routing.KeyPool.Key;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyPoolTest {
    private static final List<String> KEYS = List.of("sk-secret-aaaa", "sk-secret-bbbb", "sk-secret-cccc");
    /** Any origin works: times are compared by difference. */
    private static final long T0 = Long.MAX_VALUE - 1_000;

    private static final long SEC = TimeUnit.SECONDS.toNanos(1);

    private static KeyPool pool(KeyStrategy strategy) {
        return new KeyPool("openai", KEYS, strategy);
    }

    private static List<Integer> picks(KeyPool pool, int count, long now) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Key k = pool.pick(now);
            out.add(k == null ? -1 : k.index());
        }
        return out;
    }

    @Test
    void roundRobinRotatesInOrder() {
        KeyPool pool = pool(KeyStrategy.ROUND_ROBIN);
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), picks(pool, 7, T0));
        assertEquals("sk-secret-bbbb", pool.keys().get(1).value());
        assertEquals(KeyHash.ofKey("sk-secret-bbbb"), pool.keys().get(1).hash());
    }

    @Test
    void roundRobinSkipsACoolingKey() {
        KeyPool pool = pool(KeyStrategy.ROUND_ROBIN);
        pool.coolFor(pool.keys().get(1), 10 * SEC, T0);
        List<Integer> got = picks(pool, 6, T0 + SEC);
        assertFalse(got.contains(1), got.toString());
        assertTrue(got.contains(0) && got.contains(2), got.toString());
        // after the cooldown it is back in the rotation
        assertTrue(picks(pool, 3, T0 + 10 * SEC).contains(1));
    }

    @Test
    void priorityTakesTheFirstUsableAndFallsBack() {
        KeyPool pool = pool(KeyStrategy.PRIORITY);
        assertEquals(List.of(0, 0, 0), picks(pool, 3, T0));
        Key first = pool.keys().get(0);
        pool.coolFor(first, 5 * SEC, T0);
        assertEquals(List.of(1, 1), picks(pool, 2, T0 + SEC));
        pool.remove(pool.keys().get(1), "401 from upstream");
        assertEquals(List.of(2), picks(pool, 1, T0 + SEC));
        // the cooldown expires exactly at its deadline
        assertEquals(2, pool.pick(T0 + 5 * SEC - 1).index());
        assertSame(first, pool.pick(T0 + 5 * SEC));
    }

    @Test
    void leastUsedFollowsInFlight() {
        KeyPool pool = pool(KeyStrategy.LEAST_USED);
        Key a = pool.keys().get(0);
        Key b = pool.keys().get(1);
        Key c = pool.keys().get(2);
        pool.onStart(a);
        pool.onStart(a);
        pool.onStart(b);
        for (int i = 0; i < 5; i++) {
            assertSame(c, pool.pick(T0));
        }
        pool.onStart(c);
        pool.onStart(c);
        assertSame(b, pool.pick(T0)); // a=2, b=1, c=2
        pool.onFinish(a);
        pool.onFinish(a);
        assertSame(a, pool.pick(T0)); // a=0
        assertEquals(0, a.inFlight());
        pool.onFinish(a); // an extra finish never goes below zero
        assertEquals(0, a.inFlight());
        pool.coolFor(a, SEC, T0);
        assertSame(b, pool.pick(T0));
    }

    @Test
    void leastUsedSpreadsIdleKeys() {
        KeyPool pool = pool(KeyStrategy.LEAST_USED);
        List<Integer> got = picks(pool, 3, T0);
        assertEquals(3, got.stream().distinct().count(), got.toString());
    }

    @Test
    void cooldownIsPerKeyAndOnlyExtends() {
        KeyPool pool = pool(KeyStrategy.PRIORITY);
        Key a = pool.keys().get(0);
        pool.coolFor(a, 10 * SEC, T0);
        pool.coolFor(a, 2 * SEC, T0 + SEC); // shorter: ignored
        assertTrue(a.isCooling(T0 + 9 * SEC));
        assertEquals(SEC, a.coolingRemaining(T0 + 9 * SEC));
        assertFalse(pool.keys().get(1).isCooling(T0 + SEC));
        pool.coolFor(a, 20 * SEC, T0 + SEC); // longer: extends
        assertTrue(a.isCooling(T0 + 20 * SEC));
        assertFalse(a.isCooling(T0 + 21 * SEC));
        assertEquals(0, a.coolingRemaining(T0 + 21 * SEC));
        // a new cooldown after an expired one starts afresh
        pool.coolFor(a, SEC, T0 + 30 * SEC);
        assertTrue(a.isCooling(T0 + 30 * SEC));
        assertFalse(a.isCooling(T0 + 31 * SEC));
        pool.coolFor(a, 0, T0 + 40 * SEC);
        assertTrue(a.isUsable(T0 + 40 * SEC));
    }

    @Test
    void removalLastsUntilReset() {
        KeyPool pool = pool(KeyStrategy.ROUND_ROBIN);
        Key b = pool.keys().get(1);
        pool.remove(b, "403 from upstream");
        assertTrue(b.isRemoved());
        assertEquals("403 from upstream", b.removedReason());
        assertFalse(picks(pool, 9, T0 + 1_000 * SEC).contains(1));
        pool.reset();
        assertFalse(b.isRemoved());
        assertTrue(picks(pool, 3, T0).contains(1));
        pool.remove(b, null);
        assertEquals("removed", b.removedReason());
    }

    @Test
    void nothingUsableIsNull() {
        for (KeyStrategy s : KeyStrategy.values()) {
            KeyPool pool = pool(s);
            pool.remove(pool.keys().get(0), "401");
            pool.coolFor(pool.keys().get(1), SEC, T0);
            pool.remove(pool.keys().get(2), "403");
            assertNull(pool.pick(T0), s.name());
            assertEquals(1, pool.pick(T0 + SEC).index(), s.name());
            pool.coolFor(pool.keys().get(1), SEC, T0 + SEC);
            pool.reset();
            assertTrue(pool.pick(T0 + SEC) != null, s.name());
        }
        KeyPool empty = new KeyPool("ollama", List.of(), KeyStrategy.ROUND_ROBIN);
        assertEquals(0, empty.size());
        assertNull(empty.pick(T0));
    }

    @Test
    void keysOfAnotherPoolAreRefused() {
        KeyPool a = pool(KeyStrategy.ROUND_ROBIN);
        KeyPool b = pool(KeyStrategy.ROUND_ROBIN);
        Key foreign = b.keys().get(0);
        assertThrows(IllegalArgumentException.class, () -> a.remove(foreign, "x"));
        assertThrows(IllegalArgumentException.class, () -> a.coolFor(foreign, SEC, T0));
        assertThrows(IllegalArgumentException.class, () -> a.onStart(null));
        assertThrows(IllegalArgumentException.class, () -> new KeyPool("p", List.of("a", ""), KeyStrategy.PRIORITY));
    }

    @Test
    void builtFromProviderConfig() {
        UpstreamSettings u = new UpstreamSettings(
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                1,
                1,
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                1024);
        ProviderConfig p = new ProviderConfig(
                "or",
                "openai",
                URI.create("https://h"),
                "k1",
                Map.of(),
                u,
                TlsConfig.DEFAULT,
                null,
                List.of("k1", "k2"),
                KeyStrategy.LEAST_USED);
        KeyPool pool = KeyPool.of(p);
        assertEquals("or", pool.provider());
        assertEquals(KeyStrategy.LEAST_USED, pool.strategy());
        assertEquals(2, pool.size());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        KeyPool pool = pool(KeyStrategy.ROUND_ROBIN);
        for (Key k : pool.keys()) {
            String s = k.toString();
            assertFalse(s.contains(k.value()), s);
            assertFalse(s.contains("secret"), s);
            assertTrue(s.contains(k.hash().hex().substring(0, 12)), s);
        }
        assertFalse(pool.toString().contains("secret"), pool.toString());
    }

    @Test
    void concurrentPicksStayConsistent() throws Exception {
        int threads = 8;
        int perThread = 30_000;
        KeyPool rr = pool(KeyStrategy.ROUND_ROBIN);
        KeyPool lu = pool(KeyStrategy.LEAST_USED);
        KeyPool pr = pool(KeyStrategy.PRIORITY);
        pr.remove(pr.keys().get(0), "401");
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(exec.submit(() -> {
                    int[] counts = new int[3];
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        counts[rr.pick(T0).index()]++;
                        Key k = lu.pick(T0);
                        lu.onStart(k);
                        lu.onFinish(k);
                        if (pr.pick(T0).index() != 1) {
                            throw new AssertionError("priority picked a removed or lower key");
                        }
                    }
                    return counts;
                }));
            }
            go.countDown();
            int[] total = new int[3];
            for (Future<int[]> f : results) {
                int[] c = f.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < 3; i++) {
                    total[i] += c[i];
                }
            }
            // the atomic counter hands out each position exactly once: a perfectly even split
            int all = threads * perThread;
            assertEquals(all, total[0] + total[1] + total[2]);
            assertEquals(all / 3, total[0]);
            assertEquals(all / 3, total[1]);
            assertEquals(all / 3, total[2]);
            for (Key k : lu.keys()) {
                assertEquals(0, k.inFlight(), k.toString());
            }
        } finally {
            exec.shutdownNow();
        }
    }

    @Test
    void aCooldownIsCappedByThePool() {
        KeyPool capped = new KeyPool("openai", KEYS, KeyStrategy.PRIORITY, 5 * SEC);
        Key k = capped.keys().get(0);
        capped.coolFor(k, Long.MAX_VALUE, T0);
        assertEquals(5 * SEC, k.coolingRemaining(T0));
        assertTrue(k.isUsable(T0 + 5 * SEC));
    }

    @Test
    void aReloadedPoolTakesOverTheStateOfTheKeysItStillHas() {
        KeyPool old = new KeyPool("p", List.of("sk-one", "sk-two"), KeyStrategy.ROUND_ROBIN);
        old.remove(old.keys().get(0), "HTTP 401");
        old.coolFor(old.keys().get(1), 5_000, 0);
        KeyPool next =
                new KeyPool("p", List.of("sk-three", "sk-two", "sk-one"), KeyStrategy.ROUND_ROBIN).carryStateFrom(old);
        assertFalse(next.keys().get(0).isRemoved() || next.keys().get(0).isCooling(0), "a new key is usable");
        assertTrue(next.keys().get(1).isCooling(0), "matched by hash, not by position");
        assertEquals("HTTP 401", next.keys().get(2).removedReason());
    }
}
