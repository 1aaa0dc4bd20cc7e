package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.runtime.ReloadOutcome;
import io.aigw.server.runtime.RuntimeSnapshot;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.lang.ref.WeakReference;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many reloads leave nothing behind: each replaced runtime snapshot (routes, upstream client,
 * endpoints) becomes unreachable once its requests are done, and an origin removed and added back
 * again and again costs no thread and no connection that stays open.
 */
class ConfigReloadLeakIT {
    private static final int RELOADS = 200;

    @TempDir
    Path dir;

    private static String yaml(String a, String c, boolean withC, int priority) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 2}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                metrics: {enabled: true}
                providers:
                  a: {type: openai, base_url: "%s", api_key: sk-provider-a-secret}
                %s
                models:
                  m:
                    retries: {count: 0}
                    providers:
                      %s: {model_id: m-id, priority: %d}
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        a,
                        withC ? "  c: {type: openai, base_url: \"" + c + "\", api_key: sk-provider-c-secret}" : "",
                        withC ? "c" : "a",
                        priority);
    }

    private void write(Path file, String yaml) throws Exception {
        Path tmp = dir.resolve("proxy.yaml.tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> aigwThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> name.startsWith("aigw-"))
                .sorted()
                .toList();
    }

    @Test
    void twoHundredReloadsLeaveNoOldSnapshotReachable() throws Exception {
        try (TestUpstream a = TestUpstream.start();
                TestUpstream c = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, FailoverIT.OK));
            c.setDefault(r -> Reply.json(200, FailoverIT.OK));
            Path file = dir.resolve("proxy.yaml");
            write(file, yaml(a.baseUrl(), c.baseUrl(), false, 1));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
                assertEquals(200, proxy.post("/v1/chat/completions", chat).statusCode());
                List<String> threadsBefore = null;
                List<WeakReference<RuntimeSnapshot>> replaced = new ArrayList<>();
                for (int i = 1; i <= RELOADS; i++) {
                    replaced.add(new WeakReference<>(proxy.server().runtime()));
                    // Origin c comes (m served by it) and goes; every reload makes a snapshot.
                    write(file, yaml(a.baseUrl(), c.baseUrl(), i % 2 == 1, 1 + i % 3));
                    if (i % 20 == 0) { // now and then through the admin API, as an operator does
                        HttpResponse<String> r = proxy.adminPost("/admin/config/reload");
                        assertEquals(200, r.statusCode(), r.body());
                    } else {
                        ReloadOutcome outcome = proxy.server().reload("test").get();
                        assertEquals(ReloadOutcome.RELOADED, outcome.status(), outcome.describe());
                    }
                    if (i == 10) { // the reload thread and both loops have started by now
                        threadsBefore = aigwThreads();
                    }
                    if (i % 5 == 0) { // on a, then on c (re-added: a new pool, a new connection)
                        HttpResponse<String> r = proxy.post("/v1/chat/completions", chat);
                        assertEquals(200, r.statusCode(), r.body());
                        assertEquals(
                                i % 2 == 1 ? "c" : "a",
                                r.headers().firstValue("x-proxy-provider").orElse(null));
                    }
                }
                assertEquals(RELOADS, proxy.server().runtime().version());
                // c is out of the config now: every connection it was given, one per time it came back, closed.
                assertEquals(RELOADS / 10, c.connectionsOpened());
                assertTrue(c.awaitConnectionsClosed(RELOADS / 10, Duration.ofSeconds(10)), "c's pools drained");
                assertEquals(threadsBefore, aigwThreads(), "no thread per reload");

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                long reachable;
                do {
                    System.gc();
                    Thread.sleep(20);
                    reachable = replaced.stream().filter(w -> w.get() != null).count();
                } while (reachable > 0 && System.nanoTime() < deadline);
                assertEquals(0, reachable, "replaced snapshots still reachable after " + RELOADS + " reloads");
                assertTrue(proxy.server().runtime() != null);
            }
        }
    }
}
