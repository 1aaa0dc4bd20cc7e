package io.aigw.bench.jmh;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker pool ({@code -Djmh.executor=CUSTOM -Djmh.executor.class=...}) made of Netty
 * FastThreadLocalThreads, like event loop threads. Netty 4.2 gives the pooled allocator's thread
 * cache and the Recycler (pooled ByteBuf and slice objects) only to such threads: on a plain JMH
 * thread every buffer or retained slice would cost ~180 bytes of heap that the proxy never pays.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {
    public FastThreadLocalExecutor(int maxThreads, String prefix) {
        super(
                maxThreads,
                maxThreads,
                1,
                TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
