package io.aigw.server.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The connections to one origin owned by one event loop, used only on that loop: plain method
 * calls, no promise, lock or atomic. It replaces Netty's {@code FixedChannelPool}, whose promises,
 * listeners and health-check futures cost a few percent of the loop per request.
 *
 * <p>An idle connection is handed over synchronously, the most recently used first (LIFO: the hot
 * ones stay warm and the idle timeout closes the cold ones). With none idle and fewer than {@code
 * maxConnections} busy (in use or connecting), a new one is connected; at the cap the waiter queues
 * (at most {@code maxPendingAcquires}, each for at most the acquire timeout) and the oldest is
 * served by the next connection released, or by a new one when a busy connection is released dead
 * or a connect fails. Failures are Netty's pool's: an {@link IllegalStateException} when the queue
 * is full, a {@link TimeoutException} when the wait is over, the connect's own cause otherwise.
 *
 * <p>The figures for metrics ({@link #active}, {@link #idle}, {@link #pending}) are plain fields
 * written on the loop and read racily by a scrape thread: an {@code int} is never torn, and a scrape
 * a moment stale is fine.
 */
final class LoopPool {
    /** Who waits for a connection; called on the pool's loop, exactly once, with one or the other. */
    interface Waiter {
        void connectionAcquired(Channel ch);

        void connectionFailed(Throwable cause);
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ChannelPoolHandler handler;
    private final int maxConnections;
    private final int maxPending;
    private final long acquireTimeoutNanos;

    /** Idle connections, most recently released first. */
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    /** Waiters at the cap, oldest first. */
    private final ArrayDeque<Pending> waiters = new ArrayDeque<>();
    /** An idle connection closed (by the provider, or by the idle timeout) leaves the stack. */
    private final ChannelFutureListener onClose = f -> closed(f.channel());

    /** Connections in use or connecting: what {@code maxConnections} bounds. */
    private int busy;

    private int idleCount;
    private int pendingCount;
    /**
     * The origin left the configuration (a reload): nothing goes back idle any more, so the pool
     * empties as its last calls end. Calls still running on an older runtime may acquire anew.
     */
    private boolean retired;

    /**
     * {@code bootstrap} is this pool's own copy: its group and handler are set here. The handler's
     * {@code channelCreated} builds each new connection's pipeline, its {@code channelReleased}
     * resets one that goes back idle; {@code channelAcquired} is not called.
     */
    LoopPool(
            EventLoop loop,
            Bootstrap bootstrap,
            ChannelPoolHandler handler,
            int maxConnections,
            int maxPendingAcquires,
            long acquireTimeoutMillis) {
        if (maxConnections < 1 || maxPendingAcquires < 1) {
            throw new IllegalArgumentException("maxConnections and maxPendingAcquires must be at least 1");
        }
        this.loop = loop;
        this.handler = handler;
        this.maxConnections = maxConnections;
        this.maxPending = maxPendingAcquires;
        this.acquireTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(acquireTimeoutMillis);
        this.bootstrap = bootstrap.group(loop).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) throws Exception {
                handler.channelCreated(ch);
            }
        });
    }

    /** Hands the waiter a connection: now if one is idle, else once connected or released. */
    void acquire(Waiter waiter) {
        assert loop.inEventLoop();
        Channel ch;
        while ((ch = idle.pollFirst()) != null) {
            idleCount--;
            if (ch.isActive()) {
                busy++;
                waiter.connectionAcquired(ch);
                return;
            }
            ch.close(); // closing already: its close listener will find it gone from the stack
        }
        if (busy < maxConnections) {
            busy++;
            connect(waiter);
        } else if (pendingCount >= maxPending) {
            waiter.connectionFailed(new IllegalStateException("Too many outstanding acquire operations"));
        } else {
            Pending p = new Pending(waiter);
            p.timeout = loop.schedule(() -> timedOut(p), acquireTimeoutNanos, TimeUnit.NANOSECONDS);
            waiters.addLast(p);
            pendingCount++;
        }
    }

    /**
     * Takes back a connection acquired here, exactly once per acquire. A closed one (the caller
     * closes what cannot be reused) only frees its slot; an open one goes back idle, or straight to
     * the oldest waiter.
     */
    void release(Channel ch) {
        assert loop.inEventLoop();
        assert busy > 0 && !idle.contains(ch) : "released twice";
        if (!ch.isActive() || retired && waiters.isEmpty()) {
            busy--;
            ch.close(); // a half-dead one (inactive but open) must not linger unpooled
            serveWaiters();
            return;
        }
        try {
            handler.channelReleased(ch);
        } catch (Exception e) {
            busy--;
            ch.close();
            serveWaiters();
            return;
        }
        Pending p = waiters.pollFirst();
        if (p != null) {
            pendingCount--;
            p.timeout.cancel(false);
            // Later, not from inside the releasing call: the waiter's work (and its log context)
            // must not run nested in another exchange's.
            loop.execute(() -> handOver(p.waiter, ch));
            return;
        }
        busy--;
        idle.addFirst(ch);
        idleCount++;
    }

    /** A connection released to a waiter; if it died meanwhile, the waiter keeps its slot for a new one. */
    private void handOver(Waiter waiter, Channel ch) {
        if (ch.isActive()) {
            waiter.connectionAcquired(ch);
        } else {
            ch.close();
            connect(waiter);
        }
    }

    /** Busy slots freed: connect for the oldest waiters while the cap allows. */
    private void serveWaiters() {
        while (busy < maxConnections) {
            Pending p = waiters.pollFirst();
            if (p == null) {
                return;
            }
            pendingCount--;
            p.timeout.cancel(false);
            busy++;
            connect(p.waiter);
        }
    }

    /** Opens a connection for the waiter, whose busy slot is already counted. */
    private void connect(Waiter waiter) {
        ChannelFuture f = bootstrap.connect();
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                Channel ch = done.channel();
                ch.closeFuture().addListener(onClose);
                waiter.connectionAcquired(ch);
            } else {
                busy--;
                try {
                    waiter.connectionFailed(done.cause());
                } finally {
                    serveWaiters(); // as Netty's pool: the next waiter tries a connect of its own
                }
            }
        });
    }

    private void timedOut(Pending p) {
        if (waiters.remove(p)) {
            pendingCount--;
            p.waiter.connectionFailed(
                    new TimeoutException("Acquire operation took longer then configured maximum time"));
        }
    }

    private void closed(Channel ch) {
        if (idle.remove(ch)) {
            idleCount--;
        }
    }

    /**
     * Drains the pool for good: idle connections close now, busy ones when released (unless a
     * waiter still takes them). On the pool's loop; idempotent.
     */
    void retire() {
        assert loop.inEventLoop();
        retired = true;
        Channel ch;
        while ((ch = idle.pollFirst()) != null) {
            idleCount--;
            ch.close();
        }
    }

    /** Connections in use or connecting; racy read from any thread. */
    int active() {
        return busy;
    }

    /** Idle connections; racy read from any thread. */
    int idle() {
        return idleCount;
    }

    /** Waiters queued at the cap; racy read from any thread. */
    int pending() {
        return pendingCount;
    }

    private static final class Pending {
        final Waiter waiter;
        ScheduledFuture<?> timeout;

        Pending(Waiter waiter) {
            this.waiter = waiter;
        }
    }
}
