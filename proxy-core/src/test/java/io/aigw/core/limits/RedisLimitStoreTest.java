package io.aigw.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on the machine's Redis (127.0.0.1:6379), each test under a key prefix of its own that is
 * deleted afterwards; plus what only a shared store must do: agree across replicas, expire its keys,
 * survive a flushed script cache, and answer "unavailable" in time when Redis is absent or silent. With
 * {@code CI=true} an unreachable Redis fails these tests; elsewhere they are skipped.
 */
class RedisLimitStoreTest extends LimitStoreContract {
    /** Overridable (-Daigw.test.redis=redis://host:port) to run elsewhere. */
    static final String URL = System.getProperty("aigw.test.redis", "redis://127.0.0.1:6379");

    static final Duration TIMEOUT = Duration.ofMillis(500);

    /** Why Redis cannot be used, or null when it can. */
    private static String unreachable;

    private static ClientResources resources;
    private static RedisClient admin;
    private static StatefulRedisConnection<String, String> adminConnection;

    private String prefix;
    private final List<LimitStore> extra = new ArrayList<>();

    @BeforeAll
    static void requireRedis() {
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .build();
        io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(URL);
        uri.setTimeout(Duration.ofSeconds(2));
        admin = RedisClient.create(resources, uri);
        try {
            adminConnection = admin.connect();
            adminConnection.sync().ping();
        } catch (RuntimeException e) {
            unreachable = "Redis is not reachable at " + URL + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(unreachable + " (CI=true: the Redis tests must run)");
            }
        }
    }

    @AfterAll
    static void closeAdmin() {
        if (adminConnection != null) {
            adminConnection.close();
        }
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    @Override
    protected LimitStore openEmpty() {
        assumeTrue(unreachable == null, () -> unreachable);
        prefix = "{aigw-test-" + UUID.randomUUID() + "}:";
        return new RedisLimitStore(URL, prefix, TIMEOUT, resources);
    }

    /** Another store (another "replica", with its own client and threads) on the same keys. */
    private LimitStore replica() {
        LimitStore s = new RedisLimitStore(URL, prefix, TIMEOUT, null);
        extra.add(s);
        return s;
    }

    @Override
    protected void advance(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    @Override
    protected Instant now() {
        // Redis's TIME is on this machine's clock, in whole milliseconds.
        return Instant.ofEpochMilli(System.currentTimeMillis());
    }

    @Override
    protected Duration slack() {
        return Duration.ofSeconds(1);
    }

    @AfterEach
    void cleanUp() {
        extra.forEach(LimitStore::close);
        if (adminConnection != null && prefix != null) {
            RedisCommands<String, String> redis = adminConnection.sync();
            List<String> keys = redis.keys(prefix.replace("{", "\\{").replace("}", "\\}") + "*");
            if (!keys.isEmpty()) {
                redis.del(keys.toArray(new String[0]));
            }
        }
    }

    private List<String> keys() {
        return adminConnection.sync().keys(prefix.replace("{", "\\{").replace("}", "\\}") + "*");
    }

    @Test
    void twoReplicasShareOneLimitExactly() throws Exception {
        LimitStore other = replica();
        Limit l = Limit.of("key:42:rpm", 50, HOUR);
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (acquire(i % 2 == 0 ? store : other, l.cost(1)).allowed()) {
                allowed++;
            }
        }
        assertEquals(50, allowed);
        Limit shared = Limit.of("global:rpm", 100, HOUR);
        assertEquals(100, countAllowed(List.of(store, other), shared, 4, 40));
    }

    @Test
    void keysExpireWhenTheirDebtWouldHaveDrained() {
        Limit l = Limit.of("ip:1.1.1.1:rpm", 10, MINUTE);
        assertTrue(acquire(l.cost(2)).allowed());
        List<String> keys = keys();
        assertEquals(List.of(prefix + "ip:1.1.1.1:rpm:60000"), keys);
        long ttl = adminConnection.sync().pttl(keys.get(0));
        // 2 of 10 per minute drain in 12 s; plus a second of margin.
        assertTrue(ttl > 11_000 && ttl <= 13_000, "pttl " + ttl);
        // A refused request writes nothing; a request costing nothing on a drained scope leaves no key.
        Limit other = Limit.of("ip:2.2.2.2:rpm", 1, MINUTE);
        assertFalse(acquire(other.cost(2)).allowed());
        assertTrue(acquire(other.cost(0)).allowed());
        assertEquals(1, keys().size());
        // Giving everything back removes the key.
        correct(l, -2);
        assertEquals(List.of(), keys());
    }

    @Test
    void quotaAndLeaseKeysExpireWithTheirPeriodAndLeases() {
        Instant now = Instant.now();
        Limit today = Limit.dailyQuota("key:1:tpd", 100, now);
        String day = "d"
                + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd").format(now.atZone(java.time.ZoneOffset.UTC));
        assertTrue(acquire(today.cost(10)).allowed());
        String quotaKey = prefix + "key:1:tpd:" + day;
        assertEquals(List.of(quotaKey), keys());
        // Kept until an hour after the day ends.
        // Redis reads its clock between our two readings (a millisecond may tick in between).
        long asked = System.currentTimeMillis();
        long pttl = adminConnection.sync().pttl(quotaKey);
        long answered = System.currentTimeMillis();
        long expiry = today.periodEndMillis() + 3_600_000;
        assertTrue(
                pttl <= expiry - asked && pttl > expiry - answered - 2000,
                "pttl " + pttl + ", expected about " + (expiry - answered));
        correct(today, -10);
        assertEquals(List.of(), keys());

        Limit par = Limit.parallel("key:1:parallel", 2, Duration.ofSeconds(30));
        assertTrue(acquire(par.lease("a")).allowed());
        String leaseKey = prefix + "key:1:parallel:leases";
        assertEquals(List.of(leaseKey), keys());
        long leasePttl = adminConnection.sync().pttl(leaseKey);
        assertTrue(leasePttl > 28_000 && leasePttl <= 30_000, "pttl " + leasePttl);
        assertEquals(List.of("a"), adminConnection.sync().zrange(leaseKey, 0, -1));
        // A refused decision adds no lease.
        Limit full = Limit.parallel("key:2:parallel", 1, Duration.ofSeconds(30));
        assertTrue(acquire(full.lease("x")).allowed());
        assertFalse(acquire(full.lease("y"), par.lease("b")).allowed());
        assertEquals(List.of("a"), adminConnection.sync().zrange(leaseKey, 0, -1));
        release(par, "a");
        release(full, "x");
        assertEquals(List.of(), keys());
    }

    @Test
    void aFlushedScriptCacheFallsBackToEval() {
        Limit l = Limit.of("key:5:rpm", 3, MINUTE);
        assertTrue(acquire(l.cost(1)).allowed());
        adminConnection.sync().scriptFlush();
        Decision d = acquire(l.cost(1));
        assertTrue(d.allowed());
        assertEquals(1, d.results().get(0).remaining());
        // EVAL loaded it again: EVALSHA works once more.
        assertEquals(List.of(true), adminConnection.sync().scriptExists(RedisLimitStore.SCRIPT_SHA));
    }

    @Test
    void anAbsentRedisIsUnavailableWithinTheTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertUnavailableInTime("redis://127.0.0.1:" + port);
    }

    @Test
    void aSilentRedisIsUnavailableWithinTheTimeout() throws Exception {
        // Accepts connections and never answers.
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            try {
                assertUnavailableInTime("redis://127.0.0.1:" + silent.getLocalPort());
            } finally {
                silent.close();
                acceptor.join(2000);
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    private void assertUnavailableInTime(String url) {
        assumeTrue(unreachable == null, () -> unreachable);
        Duration timeout = Duration.ofMillis(300);
        try (LimitStore s = new RedisLimitStore(url, "{aigw-test}:", timeout, null)) {
            Limit l = Limit.of("key:1:rpm", 10, MINUTE);
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                CompletableFuture<Decision> f = s.acquire(List.of(l.cost(1))).toCompletableFuture();
                long returnedMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(returnedMs < 100, "acquire blocked its caller for " + returnedMs + " ms");
                Throwable e = null;
                try {
                    f.get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException ex) {
                    e = ex.getCause();
                } catch (Exception ex) {
                    fail("no answer within 5 s: " + ex);
                }
                long answeredMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(e instanceof LimitStoreUnavailableException, String.valueOf(e));
                assertTrue(answeredMs <= timeout.toMillis() + 400, "unavailable after " + answeredMs + " ms");
                assertFalse(e.getMessage().contains("CompletionException"), e.getMessage());
                assertFalse(((RedisLimitStore) s).isConnected());
            }
        }
    }

    @Test
    void correctionFailsAsUnavailableToo() throws Exception {
        assumeTrue(unreachable == null, () -> unreachable);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LimitStore s = new RedisLimitStore("redis://127.0.0.1:" + port, "{x}:", Duration.ofMillis(200), null)) {
            CompletableFuture<Void> f =
                    s.correct(Limit.of("key:1:tpm", 10, MINUTE), -5).toCompletableFuture();
            Throwable e = null;
            try {
                f.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException ex) {
                e = ex.getCause();
            }
            assertTrue(e instanceof LimitStoreUnavailableException, String.valueOf(e));
        } catch (CompletionException e) {
            fail(e);
        }
    }

    @Test
    void aRestartedRedisIsUsedAgainWithinTwoSeconds() throws Exception {
        assumeTrue(unreachable == null, () -> unreachable);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redis = startRedis(port);
        try (LimitStore s = new RedisLimitStore("redis://127.0.0.1:" + port, "{r}:", Duration.ofMillis(300), null)) {
            Limit l = Limit.of("key:1:rpm", 1000, HOUR);
            assertTrue(awaitAnswer(s, l, Duration.ofSeconds(5)), "never connected");
            stop(redis);
            Throwable e = null;
            try {
                s.acquire(List.of(l.cost(1))).toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException ex) {
                e = ex.getCause();
            }
            assertTrue(e instanceof LimitStoreUnavailableException, String.valueOf(e));
            Thread.sleep(1500); // down long enough for the reconnect attempts to back off
            redis = startRedis(port);
            long back = System.nanoTime();
            assertTrue(awaitAnswer(s, l, Duration.ofSeconds(5)), "never reconnected");
            long ms = (System.nanoTime() - back) / 1_000_000;
            assertTrue(ms < 2000, "answered again " + ms + " ms after Redis came back");
        } finally {
            stop(redis);
        }
    }

    /** Polls every 20 ms until the store decides again; false if not within {@code limit}. */
    private static boolean awaitAnswer(LimitStore s, Limit l, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            try {
                s.acquire(List.of(l.cost(1))).toCompletableFuture().get(2, TimeUnit.SECONDS);
                return true;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    /** A throwaway redis-server (no persistence) on {@code port}, ready when this returns. */
    static Process startRedis(int port, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no"));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    static void stop(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }
}
