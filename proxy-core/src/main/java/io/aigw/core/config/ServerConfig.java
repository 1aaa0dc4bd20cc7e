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
        int maxConnectionsPerIp) {
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    public ServerConfig(
            String host,
            int port,
            long maxBodyBytes,
            int maxInitialLineBytes,
            int maxHeaderBytes,
            Duration requestReadTimeout,
            Duration idleTimeout,
            int ioThreads,
            Duration shutdownGrace) {
        this(
                host,
                port,
                maxBodyBytes,
                maxInitialLineBytes,
                maxHeaderBytes,
                requestReadTimeout,
                idleTimeout,
                ioThreads,
                shutdownGrace,
                DEFAULT_MAX_CONNECTIONS,
                0);
    }

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
                Duration.ofSeconds(30));
    }
}
