package io.aigw.server.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.aigw.core.config.TracingConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.http.Exchange;
import io.netty.handler.codec.http.HttpMethod;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The export pipeline: OTLP/HTTP protobuf to a collector, and what a dead or slow one costs. */
class TracingPipelineTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    private static void oneExchange(TracingListener l) {
        long t0 = System.nanoTime();
        Exchange ex = new Exchange("req-1", t0, HttpMethod.POST, "/v1/chat/completions");
        ex.traceContext(new TraceContext(TRACE, null, true, null));
        ex.endpoint(ApiEndpoint.CHAT_COMPLETIONS);
        ex.requestedModel("m");
        l.started(ex);
        Attempt a = new Attempt(1, "m@p", "p", "openai", "m", 0, "p.test", t0);
        ex.addAttempt(a);
        l.attemptStarted(ex, a);
        a.end(t0 + 1, Attempt.Outcome.ANSWERED, null, null);
        l.attemptEnded(ex, a);
        ex.statusCode(200);
        ex.end(t0 + 2);
        l.completed(ex);
    }

    @Test
    void spansReachAnOtlpHttpCollectorAsProtobufWithTheConfiguredHeaders() throws Exception {
        BlockingQueue<ExportTraceServiceRequest> received = new LinkedBlockingQueue<>();
        BlockingQueue<String> auth = new LinkedBlockingQueue<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            try (exchange) {
                auth.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                received.add(ExportTraceServiceRequest.parseFrom(
                        exchange.getRequestBody().readAllBytes()));
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0);
            }
        });
        collector.start();
        URI endpoint = URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces");
        Tracing tracing = Tracing.start(
                new TracingConfig(endpoint, 1.0, "aigw-test", Map.of("Authorization", "Bearer t0ken"), false), 0);
        try {
            oneExchange(tracing.listener());
            tracing.flush();
            ExportTraceServiceRequest request = received.poll(5, TimeUnit.SECONDS);
            assertTrue(request != null, "the collector got a batch");
            assertEquals("Bearer t0ken", auth.poll());
            List<Span> spans = new ArrayList<>();
            for (ResourceSpans rs : request.getResourceSpansList()) {
                assertTrue(
                        rs.getResource().toString().contains("aigw-test"),
                        rs.getResource().toString());
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    spans.addAll(ss.getSpansList());
                }
            }
            assertEquals(2, spans.size(), spans.toString());
            for (Span s : spans) {
                assertEquals(TRACE, HexFormat.of().formatHex(s.getTraceId().toByteArray()));
            }
            assertEquals(0, tracing.droppedSpans());
            assertEquals(2, tracing.exportedSpans());
        } finally {
            tracing.close();
            collector.stop(0);
        }
    }

    @Test
    void aDeadCollectorCostsACounterAndNothingElse() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port + "/v1/traces");
        Tracing tracing = Tracing.start(new TracingConfig(endpoint, 1.0, "aigw-test", Map.of(), false), 0);
        try {
            long t0 = System.nanoTime();
            oneExchange(tracing.listener()); // returns at once: nothing waits for the collector
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            tracing.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tracing.droppedSpans() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, tracing.droppedSpans());
            assertEquals(0, tracing.exportedSpans());
        } finally {
            tracing.close();
        }
    }

    @Test
    void aFullQueueDropsSpansAndCountsThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch exporting = new CountDownLatch(1);
        Tracing.Sender stuck = (body, length) -> {
            exporting.countDown();
            release.await(); // a collector that never answers (until the test ends)
            return 200;
        };
        TracingConfig config =
                new TracingConfig(URI.create("http://127.0.0.1:1/v1/traces"), 1.0, "aigw-test", Map.of(), false);
        Tracing tracing = new Tracing(config, stuck, Duration.ofMillis(10), 0);
        try {
            TracingListener l = tracing.listener();
            oneExchange(l);
            assertTrue(exporting.await(5, TimeUnit.SECONDS), "the first batch is stuck in export");
            int exchanges = 2 * Tracing.MAX_QUEUE; // twice what the queue holds
            for (int i = 0; i < exchanges; i++) {
                oneExchange(l);
            }
            // The queue holds MAX_QUEUE exchanges; the rest, two spans each, are dropped and counted.
            assertEquals(2L * (exchanges - Tracing.MAX_QUEUE), tracing.droppedSpans());
        } finally {
            release.countDown();
            tracing.close();
        }
    }
}
