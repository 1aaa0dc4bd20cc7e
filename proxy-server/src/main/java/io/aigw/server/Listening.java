package io.aigw.server;

import io.aigw.core.config.ServerConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The listening sockets. Either one, accepted on a thread of its own that hands each connection to
 * the next event loop in turn; or, with {@code server.reuse_port}, one per event loop bound with
 * SO_REUSEPORT, so the kernel spreads connections over the loops and each loop accepts its own (no
 * acceptor thread, no hand-over between threads).
 */
final class Listening {
    private Listening() {}

    /**
     * Whether to bind one socket per loop. {@code auto} means no, for now: it has not been shown to
     * save CPU on the machines measured (bench/README.md), and it lets a second process of the same
     * user bind the same port without an error (the kernel then splits connections between them).
     */
    static boolean perLoop(ServerConfig.ReusePort setting, Transport transport, int loops) {
        return setting == ServerConfig.ReusePort.ON && transport.canReusePort() && loops > 1;
    }

    /**
     * Binds {@code host:port}; {@code bootstrap} makes a bootstrap for an acceptor group and a child
     * group. Per loop, each loop is both; with port 0 the first socket's port is taken by the rest.
     * On failure the sockets bound so far are closed again.
     */
    static List<Channel> bind(
            String host,
            int port,
            EventLoopGroup acceptor,
            EventLoopGroup workers,
            boolean perLoop,
            Transport transport,
            BiFunction<EventLoopGroup, EventLoopGroup, ServerBootstrap> bootstrap)
            throws InterruptedException {
        if (!perLoop) {
            return List.of(
                    bootstrap.apply(acceptor, workers).bind(host, port).sync().channel());
        }
        List<Channel> bound = new ArrayList<>();
        try {
            for (EventExecutor executor : workers) {
                EventLoop loop = (EventLoop) executor;
                int p = bound.isEmpty()
                        ? port
                        : ((InetSocketAddress) bound.get(0).localAddress()).getPort();
                ServerBootstrap b = transport.reusePort(bootstrap.apply(loop, loop));
                bound.add(b.bind(host, p).sync().channel());
            }
        } catch (InterruptedException | RuntimeException e) {
            close(bound);
            throw e;
        }
        return List.copyOf(bound);
    }

    static void close(List<Channel> channels) {
        for (Channel c : channels) {
            c.close();
        }
        for (Channel c : channels) {
            c.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    static int loops(EventLoopGroup group) {
        int n = 0;
        for (EventExecutor ignored : group) {
            n++;
        }
        return n;
    }
}
