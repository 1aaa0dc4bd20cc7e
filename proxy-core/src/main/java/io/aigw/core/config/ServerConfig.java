package io.aigw.core.config;

import java.time.Duration;

/**
 * The listening side.
 *
 * @param ioThreads event loop threads; 0 means one per core
 * @param requestReadTimeout a started request must be fully received within this (slowloris guard)
 * @param idleTimeout a keep-alive connection with no request in flight is closed after this
 * @param shutdownGrace on stop, in-flight exchanges (streams included) get this long to finish
 * @param maxConnections open client connections beyond this are answered 503 and closed
 * @param maxConnectionsPerIp the same per client address; 0 means no per-address cap
 * @param reusePort one listening socket per event loop (SO_REUSEPORT, epoll only) instead of one
 *     acceptor thread handing connections out
 */
public record ServerConfig(
        String host,
        int port,
        long maxBodyBytes,
        int maxInitialLineBytes,
        int maxHeaderBytes,
        Duration requestReadTimeout,
        Duration idleTimeout,
        int ioThreads,
        Duration shutdownGrace,
        int maxConnections,
        int maxConnectionsPerIp,
        ReusePort reusePort) {
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /** {@code server.reuse_port}: whether to bind one SO_REUSEPORT socket per event loop. */
    public enum ReusePort {
        /** Only where it pays (see the server's listener); the default. */
        AUTO,
        /** Whenever the transport supports it (epoll) and there is more than one event loop. */
        ON,
        /** Always one listening socket and one acceptor thread. */
        OFF
    }

    /** The defaults of the settings this form leaves out: 30 s shutdown grace, the connection caps, {@code reuse_port: auto}. */
    public ServerConfig(
            String host,
            int port,
            long maxBodyBytes,
            int maxInitialLineBytes,
            int maxHeaderBytes,
            Duration requestReadTimeout,
            Duration idleTimeout,
            int ioThreads) {
        this(
                host,
                port,
                maxBodyBytes,
                maxInitialLineBytes,
                maxHeaderBytes,
                requestReadTimeout,
                idleTimeout,
                ioThreads,
                Duration.ofSeconds(30),
                DEFAULT_MAX_CONNECTIONS,
                0,
                ReusePort.AUTO);
    }
}
