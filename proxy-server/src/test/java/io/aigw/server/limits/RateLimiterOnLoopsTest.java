package io.aigw.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.LimitsConfig;
import io.aigw.core.limits.Decision;
import io.aigw.core.limits.Limit;
import io.aigw.core.limits.RedisLimitStore;
import io.aigw.server.Transport;
import io.aigw.server.testing.TestRedis;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With the server's loops given, each loop has a Redis connection of its own, and a decision asked on a
 * loop is answered on that same loop: no thread hand-off on the request path.
 */
class RateLimiterOnLoopsTest {
    @Test
    void aDecisionAskedOnALoopIsAnsweredOnThatLoop() throws Exception {
        // The server's own transport (epoll here), as ProxyServer gives it.
        Transport transport = Transport.detect();
        EventLoopGroup group = transport.newGroup(2, "test-loop");
        try (TestRedis redis = TestRedis.require()) {
            LimitsConfig config = new LimitsConfig(
                    LimitsConfig.Store.REDIS,
                    new LimitsConfig.Redis(redis.url(), false, redis.prefix(), Duration.ofSeconds(2), true),
                    LimitsConfig.Rates.NONE,
                    LimitsConfig.Rates.NONE,
                    new LimitsConfig.KeyLimits(100, 0, 0, 0, 0),
                    LimitsConfig.DEFAULT_MAX_TOKENS);
            try (RateLimiter limiter =
                    RateLimiter.open(config, RateLimitObserver.NONE, group, transport.socketChannel())) {
                EventLoop first = group.next();
                EventLoop second = group.next();
                RedisLimitStore a = limiter.storeFor(first);
                RedisLimitStore b = limiter.storeFor(second);
                assertNotSame(a, b, "one store, one connection, per loop");
                for (EventLoop loop : List.of(first, second)) {
                    CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
                    loop.execute(() -> limiter.storeFor(loop)
                            .acquire(List.of(Limit.of("key:on-loop:rpm", 100, Duration.ofMinutes(1))
                                    .cost(1)))
                            .whenComplete((Decision d, Throwable e) -> {
                                if (e != null) {
                                    onLoop.completeExceptionally(e);
                                } else {
                                    onLoop.complete(d.allowed() && loop.inEventLoop());
                                }
                            }));
                    assertTrue(onLoop.get(10, TimeUnit.SECONDS), "allowed, and answered on the asking loop");
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!limiter.redisConnected() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(limiter.redisConnected());
            }
            assertEquals(
                    List.of(),
                    redis.keys().stream().filter(k -> !k.contains("on-loop")).toList());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void loopsOfAnotherTransportThanLettucesKeepLettucesOwnThreads() throws Exception {
        EventLoopGroup group =
                new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
        try (TestRedis redis = TestRedis.require()) {
            LimitsConfig config = new LimitsConfig(
                    LimitsConfig.Store.REDIS,
                    new LimitsConfig.Redis(redis.url(), false, redis.prefix(), Duration.ofSeconds(2), true),
                    LimitsConfig.Rates.NONE,
                    LimitsConfig.Rates.NONE,
                    new LimitsConfig.KeyLimits(100, 0, 0, 0, 0),
                    LimitsConfig.DEFAULT_MAX_TOKENS);
            Class<?> channel = io.lettuce.core.resource.Transports.socketChannelClass()
                            == io.netty.channel.socket.nio.NioSocketChannel.class
                    ? io.netty.channel.epoll.EpollSocketChannel.class
                    : io.netty.channel.socket.nio.NioSocketChannel.class;
            try (RateLimiter limiter = RateLimiter.open(config, RateLimitObserver.NONE, group, channel)) {
                EventLoop loop = group.next();
                Decision d = limiter.storeFor(loop)
                        .acquire(List.of(Limit.of("key:other:rpm", 100, Duration.ofMinutes(1))
                                .cost(1)))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                assertTrue(d.allowed(), "decided on Lettuce's own threads");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
