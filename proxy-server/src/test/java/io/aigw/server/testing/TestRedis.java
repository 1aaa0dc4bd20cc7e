package io.aigw.server.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The machine's Redis (127.0.0.1:6379, or {@code -Daigw.test.redis=redis://host:port}) for tests, each
 * under a key prefix of its own that {@link #close} deletes. Under {@code CI=true} an unreachable Redis
 * fails the test; elsewhere it skips.
 */
public final class TestRedis implements AutoCloseable {
    public static final String URL = System.getProperty("aigw.test.redis", "redis://127.0.0.1:6379");

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    /** One hash tag, as the gateway's own prefix: every key of a test in one Cluster slot. */
    private final String prefix = "{aigw-t-" + UUID.randomUUID() + "}:";

    private TestRedis(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> c) {
        this.resources = resources;
        this.client = client;
        this.connection = c;
    }

    public static TestRedis require() {
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .build();
        RedisURI uri = RedisURI.create(URL);
        // The connection's handshake runs under this timeout too: in a cold JVM on a loaded 2-core
        // machine the first one took over 2 s ("Unable to connect" with Redis up). Still bounded.
        uri.setTimeout(Duration.ofSeconds(10));
        RedisClient client = RedisClient.create(resources, uri);
        try {
            StatefulRedisConnection<String, String> c = client.connect();
            c.sync().ping();
            return new TestRedis(resources, client, c);
        } catch (RuntimeException e) {
            shutdown(client, resources);
            String why = "Redis is not reachable at " + URL + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: the Redis tests must run)");
            }
            assumeTrue(false, why);
            throw new IllegalStateException("unreachable");
        }
    }

    public String url() {
        return URL;
    }

    /** This test's key prefix, e.g. {@code {aigw-t-<uuid>}:}. */
    public String prefix() {
        return prefix;
    }

    /** The keys under this test's prefix. */
    public List<String> keys() {
        return connection.sync().keys(prefix.replace("{", "\\{").replace("}", "\\}") + "*");
    }

    @Override
    public void close() {
        try {
            List<String> keys = keys();
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(new String[0]));
            }
        } finally {
            connection.close();
            shutdown(client, resources);
        }
    }

    private static void shutdown(RedisClient client, ClientResources resources) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
