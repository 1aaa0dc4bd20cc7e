package io.aigw.server.upstream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One origin's pools over every event loop, for metrics: their figures summed at scrape time. Each
 * pool keeps its own plain counters on its loop, so a request touches nothing shared; the sums are
 * racy reads, a moment stale at worst.
 */
final class PoolCounters {
    final String origin;
    /** One pool per loop, added once each (on the loop's first call to the origin). */
    private final List<LoopPool> pools = new CopyOnWriteArrayList<>();

    PoolCounters(String origin) {
        this.origin = origin;
    }

    void add(LoopPool pool) {
        pools.add(pool);
    }

    /** Connections in use or connecting. */
    long active() {
        long n = 0;
        for (LoopPool p : pools) {
            n += p.active();
        }
        return n;
    }

    long idle() {
        long n = 0;
        for (LoopPool p : pools) {
            n += p.idle();
        }
        return n;
    }

    /** Acquires waiting at a pool's cap. */
    long pending() {
        long n = 0;
        for (LoopPool p : pools) {
            n += p.pending();
        }
        return n;
    }
}
