package io.aigw.server.metrics;

import io.aigw.core.error.ApiError;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: the registry in Prometheus text format 0.0.4, or OpenMetrics 1.0 when the
 * scraper's {@code Accept} asks for it. A scrape reads JVM MXBeans and every series, which can take
 * milliseconds: it is rendered on a thread of its own and the answer written back on the
 * connection's loop. A few scrapes may wait; more are answered 503 rather than queued without end.
 */
public final class MetricsEndpoint implements Endpoint, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusRegistry registry;
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
    private final ExecutorService renderer =
            new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(8), r -> {
                Thread t = new Thread(r, "aigw-metrics");
                t.setDaemon(true);
                return t;
            });

    public MetricsEndpoint(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        request.release();
        ExpositionFormatWriter writer = accept != null && openMetrics.accepts(accept) ? openMetrics : text;
        try {
            renderer.execute(() -> render(ctx, writer));
        } catch (RejectedExecutionException e) {
            Responses.sendError(ctx, ApiError.unavailable("metrics_busy", "Too many scrapes at once; try again."));
        }
    }

    private void render(ChannelHandlerContext ctx, ExpositionFormatWriter writer) {
        byte[] body;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            writer.write(out, registry.scrape());
            body = out.toByteArray();
        } catch (IOException | RuntimeException e) {
            log.error("rendering the metrics failed", e);
            ctx.executor()
                    .execute(() -> Responses.sendError(
                            ctx, ApiError.unavailable("metrics_failed", "The metrics could not be rendered.")));
            return;
        }
        // The buffer wraps a heap array made here: nothing pooled crosses threads, nothing to leak.
        ctx.executor().execute(() -> {
            FullHttpResponse r = Responses.full(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            r.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        });
    }

    @Override
    public void close() {
        renderer.shutdownNow();
    }
}
