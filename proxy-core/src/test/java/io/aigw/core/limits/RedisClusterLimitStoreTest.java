package io.aigw.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on a Redis Cluster: a single-node cluster (all 16384 slots on one throwaway redis-server)
 * started for this class, reached through Lettuce's cluster client. With {@code CI=true} a missing
 * redis-server fails these tests; elsewhere they are skipped.
 */
class RedisClusterLimitStoreTest extends LimitStoreContract {

    private static String unavailable;
    private static Process node;
    private static Path dir;
    private static String url;
    private static ClientResources resources;
    private static RedisClient admin;
    private static StatefulRedisConnection<String, String> adminConnection;

    private String prefix;

    @BeforeAll
    static void startCluster() throws Exception {
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .build();
        try {
            int port = freePortWithFreeBusPort();
            dir = Files.createTempDirectory("aigw-cluster");
            node = startNode(port, dir, true);
            url = "redis://127.0.0.1:" + port;
            RedisURI uri = RedisURI.create(url);
            uri.setTimeout(Duration.ofSeconds(2));
            admin = RedisClient.create(resources, uri);
            adminConnection = admin.connect();
        } catch (IOException | RuntimeException e) {
            unavailable = "no single-node Redis Cluster could be started: " + e;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(unavailable + " (CI=true: the Redis tests must run)");
            }
        }
    }

    /**
     * A cluster node on {@code port} keeping its cluster config in {@code dir}, serving every slot ({@code
     * fresh}: assigned now; else from the config of a previous run) once this returns.
     */
    private static Process startNode(int port, Path dir, boolean fresh) throws Exception {
        Process p = RedisLimitStoreTest.startRedis(
                port,
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                dir.resolve("nodes.conf").toString(),
                "--dir",
                dir.toString());
        RedisURI uri = RedisURI.create("redis://127.0.0.1:" + port);
        uri.setTimeout(Duration.ofSeconds(2));
        RedisClient c = RedisClient.create(resources, uri);
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            RedisCommands<String, String> redis = conn.sync();
            if (fresh) {
                redis.clusterAddSlotsRange(slots());
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!redis.clusterInfo().contains("cluster_state:ok")) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("cluster_state never ok: " + redis.clusterInfo());
                }
                Thread.sleep(20);
            }
        } finally {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Range<Integer>[] slots() {
        return new Range[] {Range.create(0, 16383)};
    }

    /** A port whose cluster bus port (port + 10000) is free too. */
    private static int freePortWithFreeBusPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0)) {
                int port = s.getLocalPort();
                if (port + 10000 > 65535) {
                    continue;
                }
                try (ServerSocket bus = new ServerSocket(port + 10000)) {
                    bus.setReuseAddress(true);
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port pair for a cluster node");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (adminConnection != null) {
            adminConnection.close();
        }
        if (admin != null) {
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        if (node != null) {
            RedisLimitStoreTest.stop(node);
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    protected LimitStore openEmpty() throws InterruptedException {
        assumeTrue(unavailable == null, () -> unavailable);
        prefix = "{aigw-test-" + UUID.randomUUID() + "}:";
        RedisLimitStore s = new RedisLimitStore(url, true, prefix, RedisLimitStoreTest.TIMEOUT, resources);
        // The contract is about decisions: let the first connection (slot map, node) open on a cold JVM.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!s.isConnected() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
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

    @Test
    void theStoreIsAClusterStoreAndSaysWhenConnected() {
        RedisLimitStore s = (RedisLimitStore) store;
        assertTrue(s.isCluster());
        assertTrue(acquire(Limit.of("key:1:rpm", 5, MINUTE).cost(1)).allowed());
        assertTrue(s.isConnected());
        RedisLimitStore standalone = new RedisLimitStore("redis://127.0.0.1:1", "plain:", Duration.ofMillis(200), null);
        try {
            assertFalse(standalone.isCluster());
        } finally {
            standalone.close();
        }
    }

    @Test
    void aClusterPrefixWithoutAHashTagIsRefused() {
        for (String bad : List.of("aigw-limits:", "{}aigw:", "aigw}{:", "{aigw")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new RedisLimitStore(url, true, bad, Duration.ofMillis(200), resources),
                    bad);
            assertTrue(e.getMessage().contains("hash tag"), e.getMessage());
        }
        assertTrue(RedisLimitStore.hasHashTag(RedisLimitStore.DEFAULT_PREFIX));
        assertTrue(RedisLimitStore.hasHashTag("x{t}y"));
    }

    @Test
    void oneRequestsKeysShareOneSlot() {
        Instant now = Instant.now();
        Decision d = acquire(
                Limit.of("key:1:rpm", 5, MINUTE).cost(1),
                Limit.of("ip:1.2.3.4:rpm", 5, MINUTE).cost(1),
                Limit.dailyQuota("key:1:tpd", 100, now).cost(10),
                Limit.parallel("key:1:parallel", 2, MINUTE).lease("r1"));
        assertTrue(d.allowed());
        RedisCommands<String, String> redis = adminConnection.sync();
        List<String> keys = redis.keys(prefix.replace("{", "\\{").replace("}", "\\}") + "*");
        assertEquals(4, keys.size(), keys.toString());
        long slot = redis.clusterKeyslot(prefix);
        for (String k : keys) {
            assertEquals(slot, redis.clusterKeyslot(k), k);
        }
    }

    @Test
    void anAbsentClusterIsUnavailableWithinTheTimeout() throws Exception {
        assumeTrue(unavailable == null, () -> unavailable);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Duration timeout = Duration.ofMillis(300);
        try (RedisLimitStore s = new RedisLimitStore("redis://127.0.0.1:" + port, true, "{t}:", timeout, null)) {
            Limit l = Limit.of("key:1:rpm", 10, MINUTE);
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                CompletableFuture<Decision> f = s.acquire(List.of(l.cost(1))).toCompletableFuture();
                assertTrue((System.nanoTime() - start) / 1_000_000 < 100, "acquire blocked its caller");
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
                long answeredMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(
                        e.getCause() instanceof LimitStoreUnavailableException,
                        e.getCause().toString());
                assertTrue(answeredMs <= timeout.toMillis() + 400, "unavailable after " + answeredMs + " ms");
                assertFalse(s.isConnected());
            }
        }
    }

    @Test
    void aRestartedClusterNodeIsUsedAgainWithinTwoSeconds() throws Exception {
        assumeTrue(unavailable == null, () -> unavailable);
        int port = freePortWithFreeBusPort();
        Path own = Files.createTempDirectory("aigw-cluster-restart");
        Process p = startNode(port, own, true);
        try (RedisLimitStore s =
                new RedisLimitStore("redis://127.0.0.1:" + port, true, "{r}:", Duration.ofMillis(300), null)) {
            Limit l = Limit.parallel("key:1:parallel", 1000, MINUTE);
            assertTrue(awaitAnswer(s, l, Duration.ofSeconds(5)), "never connected");
            RedisLimitStoreTest.stop(p);
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> s.acquire(List.of(l.lease("down")))
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS));
            assertTrue(
                    e.getCause() instanceof LimitStoreUnavailableException,
                    e.getCause().toString());
            Thread.sleep(1500); // down long enough for the reconnect attempts to back off
            p = startNode(port, own, false);
            long back = System.nanoTime();
            assertTrue(awaitAnswer(s, l, Duration.ofSeconds(5)), "never reconnected");
            long ms = (System.nanoTime() - back) / 1_000_000;
            assertTrue(ms < 2000, "answered again " + ms + " ms after the node came back");
        } finally {
            RedisLimitStoreTest.stop(p);
            try (Stream<Path> files = Files.walk(own)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** Polls every 20 ms until the store decides again; false if not within {@code limit}. */
    private static boolean awaitAnswer(LimitStore s, Limit l, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        int n = 0;
        while (System.nanoTime() < end) {
            try {
                s.acquire(List.of(l.lease("probe-" + n++)))
                        .toCompletableFuture()
                        .get(2, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                Thread.sleep(20);
            }
        }
        return false;
    }
}
