package io.aigw.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open client connections, in all and per client address, against {@code
 * server.max_connections} and {@code server.max_connections_per_ip}. A connection over a cap is
 * never counted: it is only answered 503 and closed.
 *
 * <p>Admitting runs on the accepting loop; a connection leaves the count from its own loop when it
 * closes, hence the atomic counters.
 */
final class ConnectionLimits {
    private final int max;
    private final int maxPerIp;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perIp = new ConcurrentHashMap<>();

    ConnectionLimits(int max, int maxPerIp) {
        this.max = max;
        this.maxPerIp = maxPerIp;
    }

    /** Counts the connection in (and out again when it closes) and returns true, or returns false over a cap. */
    boolean admit(Channel child) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return false;
        }
        InetAddress ip = maxPerIp > 0 ? address(child) : null;
        if (ip != null && !admitFrom(ip)) {
            open.decrementAndGet();
            return false;
        }
        child.closeFuture().addListener((ChannelFutureListener) f -> release(ip));
        return true;
    }

    int open() {
        return open.get();
    }

    private boolean admitFrom(InetAddress ip) {
        boolean[] admitted = {false};
        perIp.compute(ip, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerIp) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        return admitted[0];
    }

    private void release(InetAddress ip) {
        open.decrementAndGet();
        if (ip != null) {
            perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    private static InetAddress address(Channel child) {
        return child.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }
}
