package io.aigw.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.error.ApiError;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.aigw.server.metrics.MetricsHistory;
import io.aigw.server.metrics.MetricsWindow;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/metrics/summary?window_seconds=3600}: requests, errors, latency and overhead
 * quantiles, tokens and cost over the last window, from {@link MetricsHistory}. The scrape behind
 * it reads every series, so it runs on the admin executor. With metrics off it answers 404.
 */
public final class AdminMetricsSummaryEndpoint implements Endpoint {
    public static final String PATH = "/admin/metrics/summary";
    private static final Logger log = LoggerFactory.getLogger(AdminMetricsSummaryEndpoint.class);
    private static final JsonFactory JSON = new JsonFactory();

    static final ApiError METRICS_OFF = new ApiError(
            404,
            ApiError.INVALID_REQUEST,
            "metrics_disabled",
            null,
            "Metrics are off (metrics.enabled: false): there is nothing to summarize.");

    /** Null when metrics are off. */
    private final MetricsHistory history;

    private final ExecutorService queries;

    public AdminMetricsSummaryEndpoint(MetricsHistory history, ExecutorService queries) {
        this.history = history;
        this.queries = queries;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        String uri = request.uri();
        request.release();
        if (history == null) {
            Responses.sendError(ctx, METRICS_OFF);
            return;
        }
        int window;
        try {
            window = window(new QueryStringDecoder(uri).parameters().get("window_seconds"));
        } catch (IllegalArgumentException e) {
            Responses.sendError(
                    ctx,
                    ApiError.badRequest(
                            "invalid_value",
                            "window_seconds",
                            "expected whole seconds from 1 to " + MetricsHistory.MAX_WINDOW_SECONDS));
            return;
        }
        try {
            queries.execute(() -> {
                byte[] body = null;
                try {
                    body = render(window, history.summary(window));
                } catch (RuntimeException e) {
                    log.warn("request {}: summarizing the metrics failed: {}", exchange.requestId(), e.toString());
                }
                byte[] ok = body;
                ctx.executor().execute(() -> {
                    if (ok == null) {
                        Responses.sendError(
                                ctx, ApiError.unavailable("metrics_failed", "The metrics could not be read."));
                    } else {
                        Responses.sendJson(ctx, 200, ok);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            Responses.sendError(ctx, ApiError.unavailable("shutting_down", "The proxy is stopping."));
        }
    }

    /** The window asked for, {@value MetricsHistory#MAX_WINDOW_SECONDS} when absent. */
    static int window(List<String> values) {
        // The last value given counts (as for the log's filters), empty or not.
        String last = values == null || values.isEmpty() ? "" : values.get(values.size() - 1);
        if (last.isEmpty()) {
            return MetricsHistory.MAX_WINDOW_SECONDS;
        }
        int w = Integer.parseInt(last);
        if (w < 1 || w > MetricsHistory.MAX_WINDOW_SECONDS) {
            throw new IllegalArgumentException("out of range: " + w);
        }
        return w;
    }

    static byte[] render(int window, MetricsWindow w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "metrics.summary");
            g.writeNumberField("window_seconds", window);
            g.writeNumberField("covered_seconds", (w.toMillis() - w.fromMillis()) / 1000.0);
            g.writeStringField("from", Instant.ofEpochMilli(w.fromMillis()).toString());
            g.writeStringField("to", Instant.ofEpochMilli(w.toMillis()).toString());
            g.writeNumberField("sample_interval_seconds", MetricsHistory.INTERVAL_SECONDS);
            g.writeNumberField("requests", Math.round(w.requests()));
            g.writeNumberField("errors", Math.round(w.errors()));
            number(g, "latency_p50_seconds", w.latencyP50());
            number(g, "latency_p99_seconds", w.latencyP99());
            number(g, "overhead_p50_seconds", w.overheadP50());
            number(g, "overhead_p99_seconds", w.overheadP99());
            g.writeNumberField("prompt_tokens", Math.round(w.promptTokens()));
            g.writeNumberField("completion_tokens", Math.round(w.completionTokens()));
            g.writeNumberField("cost_usd", w.costUsd());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** NaN (nothing observed) as null: JSON has no NaN. */
    private static void number(JsonGenerator g, String name, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
    }
}
