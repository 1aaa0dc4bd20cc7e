package io.aigw.server.testing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/** A test OTLP/HTTP traces collector on 127.0.0.1: decodes each protobuf batch and keeps its spans. */
public final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<Span> spans = new ArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            OtlpReceiver r = new OtlpReceiver(server);
            server.createContext("/v1/traces", exchange -> {
                try (exchange) {
                    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(
                            exchange.getRequestBody().readAllBytes());
                    r.add(request);
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, 0);
                }
            });
            server.start();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    private synchronized void add(ExportTraceServiceRequest request) {
        for (ResourceSpans rs : request.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                spans.addAll(ss.getSpansList());
            }
        }
        notifyAll();
    }

    /** Waits (bounded) until {@code count} received spans match, and returns those. */
    public synchronized List<Span> await(int count, Predicate<Span> which, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Span> matching = new ArrayList<>();
            for (Span s : spans) {
                if (which.test(s)) {
                    matching.add(s);
                }
            }
            long left = deadline - System.nanoTime();
            if (matching.size() >= count || left <= 0) {
                return matching;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    public static String hex(com.google.protobuf.ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }

    public static String attr(Span span, String key) {
        return span.getAttributesList().stream()
                .filter(a -> a.getKey().equals(key))
                .map(a -> a.getValue().hasStringValue()
                        ? a.getValue().getStringValue()
                        : a.getValue().hasIntValue()
                                ? Long.toString(a.getValue().getIntValue())
                                : a.getValue().toString().trim())
                .findFirst()
                .orElse(null);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
