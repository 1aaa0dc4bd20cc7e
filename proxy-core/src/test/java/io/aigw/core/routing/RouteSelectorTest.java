package io.aigw.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.routing.RouteSelector.Strategy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RouteSelectorTest {

    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock();

    private static DeploymentState dep(String name, int priority, int weight) {
        return DeploymentState.of(name, "p-" + name, "m-" + name, priority, weight);
    }

    private void open(DeploymentState d) {
        for (int i = 0; i < 3; i++) {
            d.breaker().onFailure(clock.nanoTime());
        }
    }

    private static List<String> names(List<DeploymentState> ds) {
        return ds.stream().map(DeploymentState::name).toList();
    }

    @Test
    void priorityGroupsInOrder() {
        DeploymentState a = dep("a", 2, 1);
        DeploymentState b = dep("b", 0, 1);
        DeploymentState c = dep("c", 1, 1);
        DeploymentState d = dep("d", 0, 1);
        RouteSelector s = RouteSelector.priority(List.of(a, b, c, d));
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            List<String> order = names(s.candidates(clock.nanoTime(), rnd));
            assertEquals(4, order.size());
            assertEquals(new HashSet<>(List.of("b", "d")), new HashSet<>(order.subList(0, 2)));
            assertEquals(List.of("c", "a"), order.subList(2, 4));
        }
    }

    @Test
    void weightedSplitWithinTolerance() {
        DeploymentState a = dep("a", 0, 3);
        DeploymentState b = dep("b", 0, 1);
        RouteSelector s = RouteSelector.priority(List.of(a, b));
        SplittableRandom rnd = new SplittableRandom(12345);
        int n = 10_000;
        int firstA = 0;
        for (int i = 0; i < n; i++) {
            List<DeploymentState> order = s.candidates(clock.nanoTime(), rnd);
            assertEquals(2, order.size(), "the other one stays as failover");
            if (order.get(0) == a) {
                firstA++;
            }
        }
        assertEquals(0.75, firstA / (double) n, 0.02);
    }

    @Test
    void weightedSplitThreeWays() {
        DeploymentState a = dep("a", 0, 5);
        DeploymentState b = dep("b", 0, 3);
        DeploymentState c = dep("c", 0, 2);
        RouteSelector s = RouteSelector.priority(List.of(a, b, c));
        SplittableRandom rnd = new SplittableRandom(99);
        Map<String, Integer> first = new HashMap<>();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            first.merge(s.candidates(clock.nanoTime(), rnd).get(0).name(), 1, Integer::sum);
        }
        assertEquals(0.5, first.get("a") / (double) n, 0.02);
        assertEquals(0.3, first.get("b") / (double) n, 0.02);
        assertEquals(0.2, first.get("c") / (double) n, 0.02);
    }

    @Test
    void openBreakersAreSkipped() {
        DeploymentState a = dep("a", 0, 1);
        DeploymentState b = dep("b", 0, 1);
        DeploymentState c = dep("c", 1, 1);
        RouteSelector s = RouteSelector.priority(List.of(a, b, c));
        SplittableRandom rnd = new SplittableRandom(1);
        open(a);
        c.breaker().coolFor(Duration.ofSeconds(5).toNanos(), clock.nanoTime());
        for (int i = 0; i < 50; i++) {
            assertEquals(List.of("b"), names(s.candidates(clock.nanoTime(), rnd)));
        }
        b.breaker().disable();
        assertTrue(s.candidates(clock.nanoTime(), rnd).isEmpty(), "all unavailable: empty, caller answers 503");

        clock.advance(Duration.ofSeconds(5));
        assertEquals(List.of("c"), names(s.candidates(clock.nanoTime(), rnd)), "cooling over");
        clock.advance(Duration.ofSeconds(600));
        assertEquals(List.of("a", "c"), names(s.candidates(clock.nanoTime(), rnd)), "half-open is a candidate");
        assertTrue(a.breaker().tryAcquire(clock.nanoTime()));
        assertEquals(List.of("c"), names(s.candidates(clock.nanoTime(), rnd)), "probe taken: skipped");
    }

    @Test
    void weightZeroNeverChosenUnlessAlone() {
        DeploymentState a = dep("a", 0, 1);
        DeploymentState z = dep("z", 0, 0);
        DeploymentState c = dep("c", 1, 1);
        RouteSelector s = RouteSelector.priority(List.of(z, a, c));
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 1000; i++) {
            assertEquals(List.of("a", "z", "c"), names(s.candidates(clock.nanoTime(), rnd)));
        }
        open(a);
        assertEquals(List.of("z", "c"), names(s.candidates(clock.nanoTime(), rnd)));

        RouteSelector ll = RouteSelector.leastLatency(List.of(z, dep("b", 0, 1)));
        z.latency().observe(1, clock.nanoTime()); // far cheaper, still never first
        for (int i = 0; i < 100; i++) {
            assertEquals(List.of("b", "z"), names(ll.candidates(clock.nanoTime(), rnd)));
        }
    }

    @Test
    void leastLatencyPrefersTheFaster() {
        DeploymentState fast = dep("fast", 0, 1);
        DeploymentState slow = dep("slow", 0, 1);
        fast.latency().observe(50 * MS, clock.nanoTime());
        slow.latency().observe(400 * MS, clock.nanoTime());
        RouteSelector s = RouteSelector.leastLatency(List.of(slow, fast));
        SplittableRandom rnd = new SplittableRandom(8);
        for (int i = 0; i < 100; i++) {
            assertEquals(List.of("fast", "slow"), names(s.candidates(clock.nanoTime(), rnd)));
        }
    }

    @Test
    void leastLatencyAccountsForInFlight() {
        DeploymentState fast = dep("fast", 0, 1);
        DeploymentState slow = dep("slow", 0, 1);
        fast.latency().observe(50 * MS, clock.nanoTime());
        slow.latency().observe(120 * MS, clock.nanoTime());
        RouteSelector s = RouteSelector.leastLatency(List.of(fast, slow));
        SplittableRandom rnd = new SplittableRandom(8);
        fast.latency().onStart();
        assertEquals("fast", s.candidates(clock.nanoTime(), rnd).get(0).name(), "100 ms < 120 ms");
        fast.latency().onStart();
        assertEquals("slow", s.candidates(clock.nanoTime(), rnd).get(0).name(), "150 ms > 120 ms");
        fast.latency().onFinish(50 * MS, clock.nanoTime());
        assertEquals("fast", s.candidates(clock.nanoTime(), rnd).get(0).name());
    }

    @Test
    void leastLatencyPowerOfTwoNeverPicksTheWorstFirst() {
        DeploymentState[] ds = new DeploymentState[4];
        for (int i = 0; i < 4; i++) {
            ds[i] = dep("d" + i, 0, 1);
            ds[i].latency().observe((i + 1) * 100L * MS, clock.nanoTime());
        }
        RouteSelector s = RouteSelector.leastLatency(List.of(ds));
        SplittableRandom rnd = new SplittableRandom(11);
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            List<DeploymentState> order = s.candidates(clock.nanoTime(), rnd);
            assertEquals(4, order.size());
            first.merge(order.get(0).name(), 1, Integer::sum);
        }
        assertFalse(first.containsKey("d3"), "the slowest loses every pair");
        // P2C over 4: the best wins 3 of 6 pairs (50%), the second 2 of 6, the third 1 of 6.
        assertEquals(0.5, first.get("d0") / 10_000.0, 0.02);
        assertEquals(1 / 3.0, first.get("d1") / 10_000.0, 0.02);
        assertEquals(1 / 6.0, first.get("d2") / 10_000.0, 0.02);
    }

    @Test
    void leastLatencyRespectsPriorityGroups() {
        DeploymentState primary = dep("primary", 0, 1);
        DeploymentState backup = dep("backup", 1, 1);
        primary.latency().observe(900 * MS, clock.nanoTime());
        backup.latency().observe(10 * MS, clock.nanoTime());
        RouteSelector s = RouteSelector.of(Strategy.LEAST_LATENCY, List.of(backup, primary));
        assertEquals(List.of("primary", "backup"), names(s.candidates(clock.nanoTime(), new SplittableRandom(1))));
    }

    @Test
    void singleDeploymentAndEmpty() {
        DeploymentState a = dep("a", 0, 1);
        assertSame(
                a,
                RouteSelector.priority(List.of(a))
                        .candidates(0, new SplittableRandom(1))
                        .get(0));
        assertTrue(RouteSelector.priority(List.of())
                .candidates(0, new SplittableRandom(1))
                .isEmpty());
    }

    @Test
    void strategyParsing() {
        assertEquals(Strategy.PRIORITY, Strategy.parse(null));
        assertEquals(Strategy.PRIORITY, Strategy.parse("priority"));
        assertEquals(Strategy.LEAST_LATENCY, Strategy.parse("least_latency"));
        assertEquals(Strategy.LEAST_LATENCY, Strategy.parse("Least-Latency"));
        assertThrows(IllegalArgumentException.class, () -> Strategy.parse("round_robin"));
    }

    @Test
    void retryableStatuses() {
        for (int st : new int[] {408, 409, 429, 500, 502, 503, 504, 599}) {
            assertTrue(RouteSelector.isRetryable(st), "" + st);
        }
        for (int st : new int[] {200, 400, 401, 403, 404, 413, 422, 600}) {
            assertFalse(RouteSelector.isRetryable(st), "" + st);
        }
    }

    @Test
    void retryableTransportFailures() {
        assertTrue(RouteSelector.isRetryable(new ConnectException("Connection refused")));
        assertTrue(RouteSelector.isRetryable(new SocketException("Connection reset")));
        assertTrue(RouteSelector.isRetryable(new IOException("Connection reset by peer")));
        assertTrue(RouteSelector.isRetryable(new SocketTimeoutException()));
        assertTrue(RouteSelector.isRetryable(new TimeoutException()));
        assertTrue(RouteSelector.isRetryable(new RuntimeException(new ConnectException())));
        assertFalse(RouteSelector.isRetryable(new IllegalStateException("bug")));
        assertFalse(RouteSelector.isRetryable(new IOException("decoding failed")));
    }
}
