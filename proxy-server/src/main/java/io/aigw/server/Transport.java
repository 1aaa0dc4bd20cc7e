package io.aigw.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O transport: native epoll where the platform has it, NIO otherwise. Server, client and DNS
 * channels must all match the event loops they run on, so they are chosen together here.
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends Channel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel) {

    /** Epoll unless unavailable or {@code -Daigw.transport=nio}. */
    public static Transport detect() {
        boolean forceNio = "nio".equalsIgnoreCase(System.getProperty("aigw.transport"));
        if (!forceNio && Epoll.isAvailable()) {
            return new Transport(
                    "epoll",
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class,
                    EpollSocketChannel.class,
                    EpollDatagramChannel.class);
        }
        return new Transport(
                "nio",
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class);
    }

    /** Whether several listening sockets may share one port (SO_REUSEPORT): epoll only. */
    public boolean canReusePort() {
        return serverChannel == EpollServerSocketChannel.class;
    }

    /** {@code bootstrap} with SO_REUSEPORT set; only where {@link #canReusePort}. */
    public ServerBootstrap reusePort(ServerBootstrap bootstrap) {
        if (!canReusePort()) {
            throw new IllegalStateException("SO_REUSEPORT needs the epoll transport, not " + name);
        }
        return bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
    }

    public EventLoopGroup newGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true), ioHandlerFactory);
    }
}
