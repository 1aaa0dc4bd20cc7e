package io.aigw.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.log.LogWriterStats;
import io.aigw.core.log.RequestLog;
import io.aigw.core.log.RequestLogWriter;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * {@code GET /admin/logs/stats}: the request-log writer's counters (queued, written, batches,
 * spilled, replayed, dropped; with the WAL its group commits, their rows and the rows it failed to
 * force), its queue depth and whether the store answers. Reads atomics only,
 * so it runs on the event loop.
 */
public final class AdminLogStatsEndpoint implements Endpoint {
    public static final String PATH = "/admin/logs/stats";
    private static final JsonFactory JSON = new JsonFactory();

    private final RequestLog requestLog;

    public AdminLogStatsEndpoint(RequestLog requestLog) {
        this.requestLog = requestLog;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        Responses.sendJson(ctx, 200, render(requestLog));
    }

    static byte[] render(RequestLog log) {
        LogWriterStats s = log.stats();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("store", log.config().store().name().toLowerCase(Locale.ROOT));
            g.writeStringField("bodies", log.config().bodies().name().toLowerCase(Locale.ROOT));
            if (log instanceof RequestLogWriter w) {
                g.writeBooleanField("store_up", w.storeUp());
                g.writeNumberField("queue_depth", w.queueDepth());
            }
            g.writeNumberField("queue_capacity", log.config().queueCapacity());
            g.writeNumberField("queued", s.queued());
            g.writeNumberField("written", s.written());
            g.writeNumberField("batches", s.batches());
            g.writeNumberField("spilled", s.spilled());
            g.writeNumberField("replayed", s.replayed());
            g.writeNumberField("dropped", s.dropped());
            g.writeNumberField("refused", s.refused());
            g.writeStringField("durability", log.config().durability().name().toLowerCase(Locale.ROOT));
            if (log.holdsAnswers()) {
                g.writeNumberField("wal_commits", s.walCommits());
                g.writeNumberField("wal_rows", s.walRows());
                g.writeNumberField("wal_failed", s.walFailed());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
