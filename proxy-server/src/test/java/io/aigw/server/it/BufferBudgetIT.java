package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Many oversized answers at once: each stream may hold an unfinished event up to its own cap, but
 * all of them together stay within {@code upstream.max_buffered_bytes}; those that do not fit end
 * at once with the error event, and the memory is given back afterwards.
 */
class BufferBudgetIT {
    private static final String CHUNK =
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}";
    private static final int MIB = 1024 * 1024;
    private static final int STREAMS = 4;
    private static final int PIECE = 32 * 1024;
    /** 3 MiB each: one stream fits the 4 MiB budget, two do not. */
    private static final int PIECES = 96;

    @Test
    void streamsOverTheProcessWideBudgetEndWithTheErrorAndTheMemoryComesBack() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml("""
                        server: {host: 127.0.0.1, port: 0}
                        auth: {api_keys: ["%s"]}
                        upstream: {max_buffered_bytes: %d, max_event_bytes: %d, idle_timeout_ms: 8000}
                        providers:
                          mock: {type: openai, base_url: "%s"}
                        models:
                          m:
                            retries: {count: 0}
                            providers:
                              mock: {}
                        request_log: {store: off}
                        """.formatted(ProxyHarness.KEY, 4 * MIB, 8 * MIB, up.baseUrl()))) {
            String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}";
            up.enqueue(Reply.sse(List.of(CHUNK)));
            assertEquals(200, proxy.post("/v1/chat/completions", body).statusCode(), "warm-up");
            long baseline = directMemoryInUse();

            List<StreamScript> scripts = new ArrayList<>();
            List<RawHttp> clients = new ArrayList<>();
            List<CompletableFuture<String>> bodies = new ArrayList<>();
            ExecutorService readers = Executors.newFixedThreadPool(STREAMS);
            try {
                for (int i = 0; i < STREAMS; i++) {
                    StreamScript script = new StreamScript();
                    scripts.add(script);
                    up.enqueue(Reply.stream(script));
                    RawHttp raw = new RawHttp(proxy.port());
                    clients.add(raw);
                    raw.post("/v1/chat/completions", ProxyHarness.KEY, body.getBytes(StandardCharsets.US_ASCII));
                    script.send(CHUNK);
                    assertEquals(200, raw.readHead());
                    bodies.add(CompletableFuture.supplyAsync(() -> readBody(raw), readers));
                }
                String piece = "x".repeat(PIECE);
                for (StreamScript script : scripts) {
                    script.sendRaw("data: {\"huge\":\"");
                }
                for (int p = 0; p < PIECES; p++) {
                    for (StreamScript script : scripts) {
                        script.sendRaw(piece);
                    }
                }
                // At most one stream's 3 MiB event fits in 4 MiB: the others end with the error at once.
                assertTrue(
                        await(() -> bodies.stream()
                                        .filter(CompletableFuture::isDone)
                                        .count()
                                >= STREAMS - 1),
                        "the streams over the budget are ended");
                for (StreamScript script : scripts) {
                    script.sendRaw("\"}\n\n");
                    script.end();
                }
                int cut = 0;
                for (CompletableFuture<String> f : bodies) {
                    String text = f.get(20, TimeUnit.SECONDS);
                    if (text.contains("\"code\":\"gateway_memory_exhausted\"")) {
                        cut++;
                        assertTrue(text.endsWith("}\n\n"), "the error event ends the stream: " + tail(text));
                    } else {
                        assertTrue(
                                text.endsWith("data: [DONE]\n\n"), "the one that fit is relayed whole: " + tail(text));
                        assertTrue(text.length() > PIECES * PIECE, "with its large event");
                    }
                }
                assertTrue(cut >= STREAMS - 1, cut + " streams cut");
            } finally {
                for (RawHttp raw : clients) {
                    raw.close();
                }
                readers.shutdownNow();
            }
            assertTrue(
                    await(() -> proxy.server().bufferBudget().used() == 0),
                    "every reserved byte is released: "
                            + proxy.server().bufferBudget().used());
            // Netty 4.2's adaptive allocator keeps a few chunks of at most 8 MiB for reuse (and this JVM's
            // test upstream shares it); it never caches a buffer over 1 MiB. A non-caching allocator
            // (-Dio.netty.allocator.type=unpooled) shows the live bytes back at the baseline exactly.
            long slack = ByteBufAllocator.DEFAULT.isDirectBufferPooled() ? 32L * MIB : 0;
            assertTrue(
                    await(() -> directMemoryInUse() <= baseline + slack),
                    "direct memory back near its baseline " + baseline + ": " + directMemoryInUse());

            up.enqueue(Reply.sse(List.of(CHUNK)));
            HttpResponse<String> after = proxy.post("/v1/chat/completions", body);
            assertEquals(200, after.statusCode(), after.body());
            assertTrue(after.body().contains("data: [DONE]"), after.body());
        }
    }

    @Test
    void aPlainAnswerOverTheBudgetIsA502AndIsNotRetried() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml("""
                        server: {host: 127.0.0.1, port: 0}
                        auth: {api_keys: ["%s"]}
                        upstream: {max_buffered_bytes: 65536}
                        providers:
                          mock: {type: openai, base_url: "%s"}
                        models:
                          m:
                            retries: {count: 2, backoff_ms: 1}
                            providers:
                              mock: {}
                        request_log: {store: off}
                        """.formatted(ProxyHarness.KEY, up.baseUrl()))) {
            String big = "{\"id\":\"" + "x".repeat(200_000) + "\"}";
            up.setDefault(r -> Reply.json(200, big));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{}]}");
            assertEquals(502, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"code\":\"gateway_memory_exhausted\""), r.body());
            assertEquals(1, up.requestCount(), "the gateway's own shortage is not retried");
            assertTrue(await(() -> proxy.server().bufferBudget().used() == 0), "released");
        }
    }

    @Test
    void anEventOverTheDefaultOneMebibyteCapEndsTheStreamWithTheErrorEvent() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml("""
                        server: {host: 127.0.0.1, port: 0}
                        auth: {api_keys: ["%s"]}
                        upstream: {idle_timeout_ms: 8000}
                        providers:
                          mock: {type: openai, base_url: "%s"}
                        models:
                          m:
                            providers:
                              mock: {}
                        request_log: {store: off}
                        """.formatted(ProxyHarness.KEY, up.baseUrl()));
                RawHttp raw = new RawHttp(proxy.port())) {
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            raw.post(
                    "/v1/chat/completions",
                    ProxyHarness.KEY,
                    "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
            script.send(CHUNK);
            assertEquals(200, raw.readHead());
            script.sendRaw("data: {\"huge\":\"");
            String piece = "x".repeat(PIECE);
            for (int i = 0; i < (MIB + MIB / 2) / PIECE; i++) {
                script.sendRaw(piece);
            }
            String text = readBody(raw);
            assertTrue(text.contains("\"code\":\"upstream_event_too_large\""), tail(text));
            assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(5)), "the provider call is closed");
            assertTrue(await(() -> proxy.server().bufferBudget().used() == 0), "released");
        }
    }

    private static long directMemoryInUse() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
                .metric()
                .usedDirectMemory();
    }

    private static String readBody(RawHttp raw) {
        try {
            return new String(raw.chunkedBody().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "IOException: " + e;
        }
    }

    private static String tail(String text) {
        return text.length() > 300 ? "..." + text.substring(text.length() - 300) : text;
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
