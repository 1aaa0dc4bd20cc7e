package io.aigw.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-loop pool on a real event loop against a real server socket. */
class LoopPoolTest {
    private static final long LONG_WAIT_MS = 60_000;

    private NioEventLoopGroup group;
    private EventLoop loop;
    private ServerSocket server;
    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final List<Channel> created = new CopyOnWriteArrayList<>();
    private final AtomicInteger resets = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        group = new NioEventLoopGroup(1);
        loop = group.next();
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(server.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (Channel ch : created) {
            ch.close().await(5, TimeUnit.SECONDS);
        }
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    private LoopPool pool(int maxConnections, int maxPending, long acquireTimeoutMs) {
        return pool(server.getLocalPort(), maxConnections, maxPending, acquireTimeoutMs);
    }

    private LoopPool pool(int port, int maxConnections, int maxPending, long acquireTimeoutMs) {
        Bootstrap bootstrap = new Bootstrap()
                .channel(NioSocketChannel.class)
                .remoteAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        AbstractChannelPoolHandler handler = new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                created.add(ch);
            }

            @Override
            public void channelReleased(Channel ch) {
                resets.incrementAndGet();
            }
        };
        return new LoopPool(loop, bootstrap, handler, maxConnections, maxPending, acquireTimeoutMs);
    }

    /** Runs on the pool's loop and waits for the answer. */
    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    private void onLoop(Runnable task) throws Exception {
        loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    private Waiter acquire(LoopPool pool) throws Exception {
        return onLoop(() -> {
            Waiter w = new Waiter();
            pool.acquire(w);
            return w;
        });
    }

    private Channel connected(LoopPool pool) throws Exception {
        return acquire(pool).channel();
    }

    /** Every connection opened and still open is either in use or idle in the pool: none leaks. */
    private void assertNoLeak(LoopPool pool, int inUse) throws Exception {
        long open = created.stream().filter(Channel::isOpen).count();
        onLoop(() -> {
            assertEquals(inUse, pool.active(), "in use");
            assertEquals(open, pool.active() + pool.idle(), "open connections = in use + idle");
        });
    }

    /** The accepted socket at the other end of a pool connection. */
    private Socket serverSideOf(Channel ch) throws InterruptedException {
        int port = ((InetSocketAddress) ch.localAddress()).getPort();
        for (int i = 0; i < 1000; i++) {
            for (Socket s : accepted) {
                if (s.getPort() == port) {
                    return s;
                }
            }
            Thread.sleep(10); // the acceptor thread has not got to it yet
        }
        throw new AssertionError("never accepted: " + ch);
    }

    @Test
    void anIdleConnectionIsHandedOverAtOnceMostRecentlyUsedFirst() throws Exception {
        LoopPool pool = pool(4, 4, LONG_WAIT_MS);
        Channel a = connected(pool);
        Channel b = connected(pool);
        assertNotSame(a, b);
        onLoop(() -> {
            pool.release(a);
            pool.release(b);
            assertEquals(2, pool.idle());
            Waiter first = new Waiter();
            pool.acquire(first);
            assertSame(b, first.got.getNow(null), "synchronously, the last one released");
            Waiter second = new Waiter();
            pool.acquire(second);
            assertSame(a, second.got.getNow(null));
            assertEquals(0, pool.idle());
            assertEquals(2, pool.active());
        });
        assertEquals(2, resets.get(), "each release resets the connection");
        assertEquals(2, created.size(), "no new connection while one is idle");
        onLoop(() -> {
            pool.release(a);
            pool.release(b);
        });
        assertNoLeak(pool, 0);
    }

    @Test
    void atTheCapAWaiterQueuesAndBeyondTheQueueFailsAtOnceThenTimesOut() throws Exception {
        LoopPool pool = pool(1, 1, 200);
        Channel a = connected(pool);
        Waiter queued = acquire(pool);
        Waiter refused = acquire(pool);
        assertFalse(queued.got.isDone(), "the second waits for the only connection");
        assertInstanceOf(IllegalStateException.class, refused.failure(), "the queue is full");
        assertInstanceOf(TimeoutException.class, queued.failure(), "no connection within the acquire timeout");
        onLoop(() -> {
            assertEquals(0, pool.pending());
            assertEquals(1, pool.active());
            pool.release(a);
        });
        assertSame(a, connected(pool), "the connection is still good");
        assertEquals(1, created.size());
        assertNoLeak(pool, 1);
    }

    @Test
    void aReleasedConnectionServesTheOldestWaiter() throws Exception {
        LoopPool pool = pool(1, 2, LONG_WAIT_MS);
        Channel a = connected(pool);
        Waiter second = acquire(pool);
        Waiter third = acquire(pool);
        assertEquals(2, (int) onLoop(pool::pending));
        onLoop(() -> pool.release(a));
        assertSame(a, second.channel());
        assertFalse(third.got.isDone());
        onLoop(() -> pool.release(a));
        assertSame(a, third.channel());
        assertEquals(1, created.size(), "served by the one connection");
        assertNoLeak(pool, 1);
        onLoop(() -> pool.release(a));
        assertNoLeak(pool, 0);
    }

    @Test
    void releasingADeadConnectionFreesItsSlotForAWaiter() throws Exception {
        LoopPool pool = pool(1, 1, LONG_WAIT_MS);
        Channel a = connected(pool);
        Waiter waiting = acquire(pool);
        onLoop(() -> {
            a.close(); // as a call does with a connection it cannot reuse
            pool.release(a);
        });
        Channel b = waiting.channel();
        assertNotSame(a, b, "a new connection for the waiter");
        assertTrue(b.isActive());
        assertEquals(2, created.size());
        assertNoLeak(pool, 1);
        onLoop(() -> pool.release(b));
        assertNoLeak(pool, 0);
    }

    @Test
    void anIdleConnectionTheServerClosesLeavesThePool() throws Exception {
        LoopPool pool = pool(4, 4, LONG_WAIT_MS);
        Channel a = connected(pool);
        Channel b = connected(pool);
        onLoop(() -> {
            pool.release(a);
            pool.release(b);
        });
        serverSideOf(b).close();
        assertTrue(b.closeFuture().await(10, TimeUnit.SECONDS), "the pool's connection sees the close");
        onLoop(() -> assertEquals(1, pool.idle()));
        assertSame(a, connected(pool), "the closed one is skipped");
        assertNoLeak(pool, 1);
        onLoop(() -> pool.release(a));
    }

    @Test
    void aConnectionClosedWhileIdleIsNeverHandedOver() throws Exception {
        LoopPool pool = pool(4, 4, LONG_WAIT_MS);
        Channel a = connected(pool);
        Channel b = connected(pool);
        Channel got = onLoop(() -> {
            pool.release(a);
            pool.release(b);
            b.close();
            Waiter w = new Waiter();
            pool.acquire(w);
            return w.got.getNow(null);
        });
        assertSame(a, got);
        assertNoLeak(pool, 1);
        onLoop(() -> pool.release(a));
    }

    @Test
    void aFailedConnectFailsTheWaiterAndFreesItsSlot() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        LoopPool pool = pool(closedPort, 1, 1, LONG_WAIT_MS);
        assertInstanceOf(ConnectException.class, acquire(pool).failure());
        assertInstanceOf(ConnectException.class, acquire(pool).failure(), "the slot was freed: no queueing");
        onLoop(() -> {
            assertEquals(0, pool.active());
            assertEquals(0, pool.pending());
        });
    }

    @Test
    void aSecondReleaseOfAnIdleConnectionIsCaught() throws Exception {
        LoopPool pool = pool(2, 1, LONG_WAIT_MS);
        Channel a = connected(pool);
        onLoop(() -> pool.release(a));
        ExecutionException e = assertThrows(ExecutionException.class, () -> onLoop(() -> pool.release(a)));
        assertInstanceOf(AssertionError.class, e.getCause());
    }

    @Test
    void aRetiredPoolClosesItsIdleConnectionsAtOnceAndBusyOnesWhenReleased() throws Exception {
        LoopPool pool = pool(4, 4, LONG_WAIT_MS);
        Channel idle = connected(pool);
        Channel busy = connected(pool);
        onLoop(() -> pool.release(idle));
        onLoop(pool::retire);
        assertTrue(idle.closeFuture().await(5, TimeUnit.SECONDS), "the idle one closes at once");
        assertTrue(busy.isOpen(), "the one in use is left to its call");
        Channel late = connected(pool); // an older runtime's call still gets one
        onLoop(() -> {
            pool.release(busy);
            pool.release(late);
        });
        assertTrue(busy.closeFuture().await(5, TimeUnit.SECONDS), "closed when released, not pooled");
        assertTrue(late.closeFuture().await(5, TimeUnit.SECONDS));
        onLoop(() -> {
            assertEquals(0, pool.idle());
            assertEquals(0, pool.active());
        });
    }

    /** Records the pool's one answer. */
    private static final class Waiter implements LoopPool.Waiter {
        final CompletableFuture<Channel> got = new CompletableFuture<>();

        @Override
        public void connectionAcquired(Channel ch) {
            assertTrue(ch.eventLoop().inEventLoop());
            assertTrue(got.complete(ch), "answered once");
        }

        @Override
        public void connectionFailed(Throwable cause) {
            assertTrue(got.completeExceptionally(cause), "answered once");
        }

        Channel channel() throws Exception {
            return got.get(10, TimeUnit.SECONDS);
        }

        Throwable failure() throws Exception {
            ExecutionException e = assertThrows(ExecutionException.class, () -> got.get(10, TimeUnit.SECONDS));
            return e.getCause();
        }
    }
}
