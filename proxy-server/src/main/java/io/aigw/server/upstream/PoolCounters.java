package io.aigw.server.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.atomic.LongAdder;

/**
 * One origin's connection counts over every event loop's pool, for metrics: connections open and
 * acquires waiting. Adders, so the loops never contend; read at scrape time.
 */
final class PoolCounters {
    final String origin;
    private final LongAdder open = new LongAdder();
    private final LongAdder pending = new LongAdder();
    private final ChannelFutureListener closed = f -> open.decrement();

    PoolCounters(String origin) {
        this.origin = origin;
    }

    void opened(Channel ch) {
        open.increment();
        ch.closeFuture().addListener(closed);
    }

    void acquiring() {
        pending.increment();
    }

    void acquired() {
        pending.decrement();
    }

    long open() {
        return open.sum();
    }

    long pending() {
        return pending.sum();
    }
}
