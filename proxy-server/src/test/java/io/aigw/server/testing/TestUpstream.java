package io.aigw.server.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scriptable mock LLM provider: a real Netty HTTP/1.1 (optionally TLS) server on 127.0.0.1 and an
 * ephemeral port. Each request takes the next {@link #enqueue enqueued} {@link Reply}, or asks the
 * {@link #setDefault default responder} when the queue is empty. Connections are kept alive unless
 * the client sends {@code Connection: close}. All public methods are thread-safe.
 */
public final class TestUpstream implements AutoCloseable {

    static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;

    private final boolean tls;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private volatile Function<RecordedRequest, Reply> defaultResponder = TestUpstream::unscripted;
    private final LinkedBlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private volatile FloodStats lastFlood;

    private final Object connLock = new Object();
    private int connectionsOpened; // guarded by connLock
    private int connectionsClosed; // guarded by connLock

    public static TestUpstream start() {
        return new TestUpstream(null);
    }

    public static TestUpstream startTls(SslContext serverContext) {
        return new TestUpstream(Objects.requireNonNull(serverContext, "serverContext"));
    }

    private TestUpstream(SslContext ssl) {
        this.tls = ssl != null;
        try {
            serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    // Low marks so a flood flips writability after a few chunks, not megabytes.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connectionOpened(ch);
                            if (ssl != null) {
                                ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                            }
                            ch.pipeline()
                                    .addLast(
                                            new HttpServerCodec(),
                                            new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                            new UpstreamHandler(TestUpstream.this));
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** {@code http(s)://127.0.0.1:<port>/v1}, the base URL an OpenAI-style client expects. */
    public String baseUrl() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port() + "/v1";
    }

    /** Adds a reply to the FIFO; replies are consumed one per request in arrival order. */
    public void enqueue(Reply reply) {
        script.add(Objects.requireNonNull(reply, "reply"));
        if (reply.flood() != null) {
            lastFlood = reply.flood();
        }
    }

    /** Answers requests once the FIFO is empty. Initially: 500 with a "no scripted reply" error. */
    public void setDefault(Function<RecordedRequest, Reply> responder) {
        defaultResponder = Objects.requireNonNull(responder, "responder");
    }

    /** The next recorded request in arrival order, or null if none arrives within {@code timeout}. */
    public RecordedRequest takeRequest(Duration timeout) {
        try {
            return requests.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public int requestCount() {
        return requestCount.get();
    }

    /** Stats of the most recently enqueued or started flood reply, or null. */
    public FloodStats lastFlood() {
        return lastFlood;
    }

    public int connectionsOpened() {
        synchronized (connLock) {
            return connectionsOpened;
        }
    }

    public int connectionsClosed() {
        synchronized (connLock) {
            return connectionsClosed;
        }
    }

    /** Waits until at least one accepted connection (ever) has closed. */
    public boolean awaitConnectionClosed(Duration timeout) {
        return awaitConnectionsClosed(1, timeout);
    }

    /** Waits until at least {@code count} accepted connections have closed. */
    public boolean awaitConnectionsClosed(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (connLock) {
            try {
                while (connectionsClosed < count) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(connLock, left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Closes the listener and every connection, then stops the event loops (quiet period 0). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** True once {@link #close} started, so connections closing now are not "closed by the peer". */
    boolean isClosing() {
        return closed.get();
    }

    /**
     * Called on the event loop for each complete request: picks its reply, then publishes the request.
     * lastFlood is set before publishing so a test that got the request from takeRequest sees it.
     */
    Reply replyFor(RecordedRequest request) {
        Reply reply = script.poll();
        if (reply == null) {
            try {
                reply = defaultResponder.apply(request);
            } catch (RuntimeException e) {
                reply = Reply.json(500, errorJson("default responder threw " + e));
            }
            if (reply == null) {
                reply = Reply.json(500, errorJson("default responder returned null"));
            }
        }
        if (reply.flood() != null) {
            lastFlood = reply.flood();
        }
        requestCount.incrementAndGet();
        requests.add(request);
        return reply;
    }

    private void connectionOpened(Channel ch) {
        channels.add(ch);
        synchronized (connLock) {
            connectionsOpened++;
        }
        ch.closeFuture().addListener(f -> {
            synchronized (connLock) {
                connectionsClosed++;
                connLock.notifyAll();
            }
        });
    }

    private static Reply unscripted(RecordedRequest request) {
        return Reply.json(
                500, errorJson("TestUpstream: no scripted reply for " + request.method() + " " + request.uri()));
    }

    private static String errorJson(String message) {
        String escaped = message.replace("\\", "\\\\").replace("\"", "\\\"");
        return "{\"error\":{\"message\":\"" + escaped + "\",\"type\":\"test_upstream\"}}";
    }
}
