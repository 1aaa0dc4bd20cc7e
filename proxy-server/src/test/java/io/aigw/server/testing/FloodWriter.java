package io.aigw.server.testing;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * Writes flood events while the channel is writable and parks when it is not; the handler's
 * channelWritabilityChanged resumes it. Event-loop confined.
 */
final class FloodWriter {

    private static final String EVENT_OVERHEAD = "data: {\"x\":\"\"}\n\n";

    private final Exchange ex;
    private final FloodStats stats;
    private final byte[] event;
    private boolean pumping; // a write can fire writability events re-entrantly; ignore those
    private boolean ended;

    FloodWriter(Exchange ex, FloodStats stats) {
        this.ex = ex;
        this.stats = stats;
        int pad = Math.max(1, stats.chunkBytes - EVENT_OVERHEAD.length());
        this.event = ("data: {\"x\":\"" + "a".repeat(pad) + "\"}\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    void start() {
        stats.markStarted();
        ex.onWritabilityChanged = this::onWritabilityChanged;
        ex.startEventStream();
        pump();
    }

    private void onWritabilityChanged() {
        if (ex.ctx.channel().isWritable()) {
            pump();
        }
    }

    private void pump() {
        if (pumping || ended) {
            return;
        }
        pumping = true;
        try {
            Channel ch = ex.ctx.channel();
            while (stats.bytesWritten() < stats.maxBytes) {
                if (!ch.isActive()) {
                    return;
                }
                if (!ch.isWritable()) {
                    stats.notWritable(); // parked until channelWritabilityChanged says writable again
                    return;
                }
                ex.ctx.writeAndFlush(new DefaultHttpContent(
                        ex.ctx.alloc().buffer(event.length).writeBytes(event)));
                stats.addWritten(event.length);
            }
            ended = true;
            ex.chunk(Exchange.DONE_EVENT);
            stats.addWritten(Exchange.DONE_EVENT.length());
            ex.endStream().addListener(f -> {
                if (f.isSuccess()) {
                    stats.markComplete();
                }
            });
        } finally {
            pumping = false;
        }
    }
}
