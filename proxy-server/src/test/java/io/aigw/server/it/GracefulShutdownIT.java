package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stop (SIGTERM, a systemd restart) lets a stream in flight finish instead of cutting it. */
class GracefulShutdownIT {
    static final String CHUNK = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}";

    private static ProxyHarness proxy(TestUpstream up, int graceMs) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0, shutdown_grace_ms: %d}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m:
                    providers:
                      mock: {}
                """.formatted(graceMs, ProxyHarness.KEY, up.baseUrl()));
    }

    @Test
    void aStreamInFlightFinishesAndNewConnectionsAreRefused() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = proxy(up, 10_000);
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, raw.readHead());
                BufferedReader body =
                        new BufferedReader(new InputStreamReader(raw.chunkedBody(), StandardCharsets.UTF_8));
                assertEquals("data: " + CHUNK, body.readLine());

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(proxy::close);
                Thread.sleep(300);
                assertFalse(stopping.isDone(), "the stop waits for the stream");
                assertThrows(
                        IOException.class,
                        () -> new Socket("127.0.0.1", proxy.port()).close(),
                        "no new connections while draining");

                script.send(CHUNK);
                script.end();
                assertEquals("", body.readLine());
                assertEquals("data: " + CHUNK, body.readLine());
                assertEquals("", body.readLine());
                assertEquals("data: [DONE]", body.readLine());
                stopping.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theGraceIsBounded() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = proxy(up, 300);
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, raw.readHead());
                long start = System.nanoTime();
                proxy.close();
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 5_000, "stopped after " + ms + " ms");
                assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(5)), "the cut stream's upstream is closed too");
            }
        }
    }
}
