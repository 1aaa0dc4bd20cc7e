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
            node = RedisLimitStoreTest.startRedis(
                    port,
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    dir.resolve("nodes.conf").toString(),
                    "--dir",
                    dir.toString());
            url = "redis://127.0.0.1:" + port;
            RedisURI uri = RedisURI.create(url);
            uri.setTimeout(Duration.ofSeconds(2));
            admin = RedisClient.create(resources, uri);
            adminConnection = admin.connect();
            RedisCommands<String, String> redis = adminConnection.sync();
            redis.clusterAddSlotsRange(slots());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!redis.clusterInfo().contains("cluster_state:ok")) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("cluster_state never ok: " + redis.clusterInfo());
                }
                Thread.sleep(20);
            }
        } catch (IOException | RuntimeException e) {
            unavailable = "no single-node Redis Cluster could be started: " + e;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(unavailable + " (CI=true: the Redis tests must run)");
            }
        }
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
        return Instant.now();
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
}
