package io.aigw.server.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ProxyConfig;
import io.aigw.server.dialect.Dialects;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reloader's own thread at a stop: no reload asked for is left unanswered, none outlives it. */
class ConfigReloaderTest {
    private static final String BASE = """
            server: {host: 127.0.0.1, port: 8080}
            auth: {api_keys: [sk-client-key-0123456789], admin_keys: [sk-admin-key-0123456789]}
            providers:
              a: {type: openai, base_url: "http://127.0.0.1:1/v1", api_key: sk-a}
            models:
              m: {providers: {a: {model_id: x}}}
            """;

    @TempDir
    Path dir;

    @Test
    void aStopAnswersTheQueuedReloadsAndWaitsForTheRunningOne() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, BASE, StandardCharsets.UTF_8);
        ConfigSource source = new ConfigSource(file, Dialects.TYPES, Map.of());
        ProxyConfig start = source.load();
        Files.writeString(file, BASE.replace("model_id: x", "model_id: y"), StandardCharsets.UTF_8);

        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        ConfigReloader reloader = new ConfigReloader(
                source,
                (config, previous, version) -> {
                    building.countDown();
                    try {
                        never.await();
                    } catch (InterruptedException stopping) {
                        // A build that does not stop at once (TLS setup, file reads): the stop waits for it.
                        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        throw new IllegalStateException("interrupted");
                    }
                    throw new AssertionError("unreachable");
                },
                snapshot -> {},
                null,
                false);
        reloader.start(new RuntimeSnapshot(0, start, null, null, null, null));

        CompletableFuture<ReloadOutcome> running = reloader.reload("first");
        assertTrue(building.await(5, TimeUnit.SECONDS));
        CompletableFuture<ReloadOutcome> queued = reloader.reload("second");
        reloader.close();

        assertTrue(running.isDone(), "the stop returns once the running reload has ended");
        assertEquals(ReloadOutcome.FAILED, running.get().status());
        ReloadOutcome dropped = queued.get(5, TimeUnit.SECONDS); // before: never completed
        assertEquals(ReloadOutcome.FAILED, dropped.status());
        assertEquals("the server is stopping", dropped.error());
        assertEquals(
                "the server is stopping",
                reloader.reload("after").get(1, TimeUnit.SECONDS).error());
    }

    @Test
    void theFileWatchGoesOnAfterAReloadThatFailedUnexpectedly() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, BASE, StandardCharsets.UTF_8);
        ConfigSource source = new ConfigSource(file, Dialects.TYPES, Map.of());
        ProxyConfig start = source.load();
        AtomicInteger builds = new AtomicInteger();
        AtomicInteger settles = new AtomicInteger();
        ConfigReloader reloader = new ConfigReloader(
                source,
                (config, previous, version) -> {
                    builds.incrementAndGet();
                    return new RuntimeSnapshot(version, config, null, null, null, null);
                },
                snapshot -> {
                    if (settles.incrementAndGet() == 1) {
                        throw new IllegalStateException("a bug after the swap"); // before: ended the watch thread
                    }
                },
                null,
                false);
        reloader.start(new RuntimeSnapshot(0, start, null, null, null, null));
        try (ConfigWatcher watcher = ConfigWatcher.start(reloader)) {
            Files.writeString(file, BASE.replace("model_id: x", "model_id: y"), StandardCharsets.UTF_8);
            awaitAtLeast(settles, 1);
            Thread.sleep(ConfigWatcher.QUIET_MILLIS * 2); // the watch thread back at its wait, or dead
            Files.writeString(file, BASE.replace("model_id: x", "model_id: z"), StandardCharsets.UTF_8);
            awaitAtLeast(builds, 2);
            assertEquals(2, builds.get(), "the second change was reloaded too");
        } finally {
            reloader.close();
        }
    }

    private static void awaitAtLeast(AtomicInteger n, int want) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (n.get() < want && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
