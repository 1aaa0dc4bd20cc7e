package io.aigw.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Smart batching of {@link RedisLimitStore} on a throwaway redis-server of its own (its command counts are
 * ours alone, and it may be paused): concurrent calls go together in few script calls and still decide
 * exactly, operations of one batch decide in call order, and a stalled Redis fails every queued operation
 * within the timeout of its own call. With {@code CI=true} a missing redis-server fails these tests;
 * elsewhere they are skipped.
 */
class RedisLimitStoreBatchingTest {
    private static final Duration HOUR = Duration.ofHours(1);

    private static String unavailable;
    private static Process redis;
    private static String url;
    private static ClientResources resources;
    private static RedisClient admin;
    private static StatefulRedisConnection<String, String> adminConnection;

    private String prefix;

    @BeforeAll
    static void startRedis() throws Exception {
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .build();
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            redis = RedisLimitStoreTest.startRedis(port);
            url = "redis://127.0.0.1:" + port;
            RedisURI uri = RedisURI.create(url);
            uri.setTimeout(Duration.ofSeconds(5));
            admin = RedisClient.create(resources, uri);
            adminConnection = admin.connect();
        } catch (java.io.IOException | RuntimeException e) {
            unavailable = "no throwaway redis-server could be started: " + e;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(unavailable + " (CI=true: the Redis tests must run)");
            }
        }
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (adminConnection != null) {
            adminConnection.close();
        }
        if (admin != null) {
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (redis != null) {
            RedisLimitStoreTest.stop(redis);
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    @BeforeEach
    void freshPrefix() {
        assumeTrue(unavailable == null, () -> unavailable);
        prefix = "{batch-" + UUID.randomUUID() + "}:";
        // Loaded beforehand: every script call below is one EVALSHA (no NOSCRIPT, EVAL round).
        adminConnection.sync().scriptLoad(RedisLimitStore.SCRIPT);
    }

    /** Script calls Redis ran so far (EVALSHA and EVAL). */
    private static long scriptCalls() {
        long n = 0;
        for (String line : adminConnection.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                n += Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return n;
    }

    @Test
    void concurrentAcquiresGoTogetherAndAdmitExactlyTheLimit() throws Exception {
        // A unit refills every 173 s: none does while the test runs. The quota never refills.
        Limit l = Limit.of("key:1:rpd", 500, Duration.ofDays(1));
        Limit other = Limit.dailyQuota("key:1:tpd", 1_000_000, java.time.Instant.now());
        long callsBefore = scriptCalls();
        // A generous timeout: this is about exact counts, and paranoid leak detection (the build's) slows
        // Lettuce's buffers down a lot for a burst of 2,000 calls.
        try (RedisLimitStore store = new RedisLimitStore(url, prefix, Duration.ofSeconds(20), resources)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            List<List<CompletableFuture<Decision>>> perThread = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                List<CompletableFuture<Decision>> mine = new ArrayList<>();
                perThread.add(mine);
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 250; i++) {
                        mine.add(
                                store.acquire(List.of(l.cost(1), other.cost(1))).toCompletableFuture());
                    }
                });
                threads.add(thread);
                thread.start();
            }
            go.countDown();
            for (Thread thread : threads) {
                thread.join(10_000);
            }
            int allowed = 0;
            for (List<CompletableFuture<Decision>> mine : perThread) {
                assertEquals(250, mine.size());
                for (CompletableFuture<Decision> f : mine) {
                    if (f.get(30, TimeUnit.SECONDS).allowed()) {
                        allowed++;
                    }
                }
            }
            assertEquals(500, allowed);
            // Each allowed request charged the quota once, each refused one did not.
            Decision after =
                    store.acquire(List.of(other.cost(0))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(1_000_000 - 500, after.results().get(0).remaining());
        }
        long calls = scriptCalls() - callsBefore;
        assertTrue(calls < 1000, "2,000 acquires took " + calls + " script calls");
    }

    @Test
    void operationsOfOneBatchDecideInCallOrder() throws Exception {
        Limit rate = Limit.of("key:2:rpm", 3, HOUR);
        Limit quota = Limit.dailyQuota("key:2:tpd", 100, java.time.Instant.now());
        Limit parallel = Limit.parallel("key:2:parallel", 1, Duration.ofMinutes(1));
        RedisCommands<String, String> redisAdmin = adminConnection.sync();
        try (RedisLimitStore store = new RedisLimitStore(url, prefix, Duration.ofSeconds(3), resources)) {
            assertTrue(get(store.acquire(List.of(rate.cost(0)))).allowed()); // connected
            long callsBefore = scriptCalls();
            // Redis holds the first call while the others queue behind it: they go together in the next one.
            redisAdmin.clientPause(300);
            CompletableFuture<Decision> first = future(store.acquire(List.of(rate.cost(1))));
            Thread.sleep(50);
            CompletableFuture<Decision> a1 = future(store.acquire(List.of(rate.cost(2))));
            CompletableFuture<Decision> a2 = future(store.acquire(List.of(rate.cost(1))));
            CompletableFuture<Void> c3 = future(store.correct(rate, -2));
            CompletableFuture<Decision> a4 = future(store.acquire(List.of(rate.cost(2))));
            CompletableFuture<Decision> a5 = future(store.acquire(List.of(parallel.lease("x"), quota.cost(60))));
            CompletableFuture<Decision> a6 = future(store.acquire(List.of(parallel.lease("y"))));
            CompletableFuture<Void> l7 = future(store.release(parallel, "x"));
            CompletableFuture<Decision> a8 = future(store.acquire(List.of(parallel.lease("y"), quota.cost(50))));
            CompletableFuture<Void> c9 = future(store.correct(quota, -30));
            CompletableFuture<Decision> a10 = future(store.acquire(List.of(parallel.lease("y"), quota.cost(50))));

            assertTrue(get(first).allowed());
            assertEquals(2, get(first).results().get(0).remaining());
            Decision d1 = get(a1);
            assertTrue(d1.allowed());
            assertEquals(0, d1.results().get(0).remaining());
            assertFalse(get(a2).allowed()); // the limit is used up by a1
            get(c3); // gives 2 back
            Decision d4 = get(a4);
            assertTrue(d4.allowed(), "the correction before it freed 2");
            assertEquals(0, d4.results().get(0).remaining());
            Decision d5 = get(a5);
            assertTrue(d5.allowed());
            assertEquals(40, d5.results().get(1).remaining());
            Decision d6 = get(a6);
            assertFalse(d6.allowed(), "x is held");
            get(l7);
            Decision d8 = get(a8);
            assertFalse(d8.allowed(), "60 + 50 tokens exceed the quota");
            assertTrue(d8.results().get(0).fits(), "x was released before it");
            get(c9); // 30 of the 60 given back
            Decision d10 = get(a10);
            assertTrue(d10.allowed());
            assertEquals(20, d10.results().get(1).remaining());
            assertEquals(0, d10.results().get(0).remaining());

            assertEquals(2, scriptCalls() - callsBefore, "the first call and one batch of ten");
            // Written once each at the end of the batch, with the final values.
            assertEquals(List.of("y"), redisAdmin.zrange(prefix + "key:2:parallel:leases", 0, -1));
            String day = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd")
                    .format(java.time.Instant.ofEpochMilli(quota.periodEndMillis() - 1)
                            .atZone(java.time.ZoneOffset.UTC));
            assertEquals("80", redisAdmin.get(prefix + "key:2:tpd:d" + day));
            long debt = Long.parseLong(redisAdmin.hget(prefix + "key:2:rpm:" + HOUR.toMillis(), "d"));
            // 3 units charged (one unit is HOUR ms of debt), less the little refill since.
            assertTrue(debt <= 3 * HOUR.toMillis() && debt > 3 * HOUR.toMillis() - 3 * 10_000, "debt " + debt);
        }
    }

    @Test
    void aStalledRedisFailsEveryQueuedOperationWithinTheTimeoutOfItsCall() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        Limit l = Limit.of("key:3:rpm", 1000, HOUR);
        try (RedisLimitStore store = new RedisLimitStore(url, prefix, timeout, resources)) {
            assertTrue(get(store.acquire(List.of(l.cost(1)))).allowed()); // connected
            adminConnection.sync().clientPause(2500);
            List<CompletableFuture<?>> ops = new ArrayList<>();
            List<Long> calledAt = new ArrayList<>();
            List<Long> failedAt = new ArrayList<>();
            AtomicInteger unavailableCount = new AtomicInteger();
            long start = System.nanoTime();
            // Calls spread over 1 s: some queue behind a stalled batch, some start batches of their own.
            for (int i = 0; i < 40; i++) {
                long at = System.nanoTime();
                CompletableFuture<?> f = switch (i % 3) {
                    case 0 -> future(store.acquire(List.of(l.cost(1))));
                    case 1 -> future(store.correct(l, -1));
                    default ->
                        future(store.acquire(
                                List.of(l.cost(1), Limit.of("g:rpm", 10, HOUR).cost(1))));
                };
                int index = i;
                calledAt.add(at);
                failedAt.add(0L);
                f.whenComplete((ok, e) -> {
                    failedAt.set(index, System.nanoTime());
                    if (e instanceof LimitStoreUnavailableException) {
                        unavailableCount.incrementAndGet();
                    }
                });
                ops.add(f);
                Thread.sleep(25);
            }
            for (CompletableFuture<?> f : ops) {
                try {
                    f.get(5, TimeUnit.SECONDS);
                } catch (ExecutionException expected) {
                    // checked below
                }
            }
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(2500), "Redis was still paused");
            assertEquals(40, unavailableCount.get());
            for (int i = 0; i < 40; i++) {
                long ms = (failedAt.get(i) - calledAt.get(i)) / 1_000_000;
                assertTrue(
                        ms <= timeout.toMillis() + 200,
                        "operation " + i + " failed " + ms + " ms after its call (timeout " + timeout.toMillis() + ")");
            }
            // Once Redis answers again, so does the store.
            Thread.sleep(Math.max(0, 2600 - (System.nanoTime() - start) / 1_000_000));
            assertTrue(get(store.acquire(List.of(l.cost(1)))).allowed());
        }
    }

    @Test
    void aBatchSendsEachDistinctKeyOnce() {
        Limit rpm = Limit.of("key:4:rpm", 10, HOUR);
        Limit tpm = Limit.of("key:4:tpm", 1000, HOUR);
        long deadline = System.nanoTime();
        RedisBatch b = new RedisBatch(
                List.of(
                        new RedisBatch.Acquire(List.of(rpm.cost(1), tpm.cost(100)), deadline),
                        new RedisBatch.Correct(tpm, -50, deadline),
                        new RedisBatch.Acquire(List.of(tpm.cost(5), rpm.cost(1)), deadline),
                        // The same state under a changed limit: a limit of its own, the same key.
                        new RedisBatch.Acquire(
                                List.of(Limit.of("key:4:rpm", 20, HOUR).cost(1)), deadline)),
                "{p}:");
        assertEquals(List.of("{p}:key:4:rpm:3600000", "{p}:key:4:tpm:3600000"), List.of(b.keys));
        // Each limit's arguments once, then the operations referring to them.
        assertEquals(
                List.of(
                        "3", "1", "r", "10", "3600000", "", "2", "r", "1000", "3600000", "", "1", "r", "20", "3600000",
                        "", "a", "2", "1", "1", "2", "100", "c", "2", "-50", "a", "2", "2", "5", "1", "1", "a", "1",
                        "3", "1"),
                List.of(b.args));
    }

    private static <T> CompletableFuture<T> future(java.util.concurrent.CompletionStage<T> s) {
        return s.toCompletableFuture();
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> f) throws Exception {
        return f.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
