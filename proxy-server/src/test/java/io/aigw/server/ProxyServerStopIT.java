package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.it.ProxyHarness;
import io.aigw.server.it.RawHttp;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stop closes every connection itself instead of leaving that to the event loops' shutdown. An
 * IO event loop closes its channels only if it sees the shutdown at the top of an iteration; one
 * that is busy (or descheduled, on a loaded machine) when the stop arrives ends without closing
 * them: the exchange in flight is never finished, its buffers leak, and both sockets stay open.
 */
class ProxyServerStopIT {
    private static final String CHUNK =
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}";

    @Test
    void aLoopBusyWhenTheStopArrivesStillHasItsConnectionsClosed() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = ProxyHarness.startYaml("""
                    server: {host: 127.0.0.1, port: 0, shutdown_grace_ms: 100}
                    auth: {api_keys: ["%s"]}
                    providers:
                      mock: {type: openai, base_url: "%s"}
                    models:
                      m:
                        providers:
                          mock: {}
                    """.formatted(ProxyHarness.KEY, up.baseUrl()));
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, raw.readHead());

                keepBusyUntilStopping(proxy.server());
                long start = System.nanoTime();
                proxy.close();
                long ms = (System.nanoTime() - start) / 1_000_000;

                assertTrue(ms < 10_000, "stopped after " + ms + " ms");
                assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(5)), "the cut stream's upstream is closed");
                assertTrue(readsToEnd(raw.in()), "the cut stream's client connection is closed");
            }
        }
    }

    /**
     * Puts every worker loop inside a task that returns once the loop is shutting down (or after 2 s),
     * so the loop learns of the stop after its once-per-iteration check, as a busy loop would.
     */
    private static void keepBusyUntilStopping(ProxyServer server) throws InterruptedException {
        int loops = 0;
        for (EventExecutor ignored : server.workers()) {
            loops++;
        }
        CountDownLatch busy = new CountDownLatch(loops);
        for (EventExecutor loop : server.workers()) {
            loop.execute(() -> {
                busy.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (!loop.isShuttingDown() && System.nanoTime() - deadline < 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
        }
        assertTrue(busy.await(5, TimeUnit.SECONDS), "every loop is busy");
    }

    /** True once the server ends the stream (end of input or a reset); false if it stays open. */
    private static boolean readsToEnd(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) != -1) {
                // what was relayed before the stop
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
