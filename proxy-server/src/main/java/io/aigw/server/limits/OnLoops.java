package io.aigw.server.limits;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce on the server's own event loops: one {@link ClientResources} per loop, whose every connection is
 * registered on that loop. A Redis store made with them is written to from the loop that admits a request
 * and reads its answer on the same loop, so a decision resumes its request without a thread hand-off
 * (Lettuce's own I/O threads would add two per request: there and back). What Lettuce needs besides
 * (its timers, reconnect scheduling) is shared by every loop's resources, and none of it is the loops'.
 */
final class OnLoops implements AutoCloseable {
    private final EventExecutorGroup computation =
            new DefaultEventExecutorGroup(1, new DefaultThreadFactory("aigw-lettuce-computation", true));
    /**
     * Lettuce's reconnect delays (the store keeps its own deadlines, not Lettuce's command timeouts): ticks of
     * 100 ms, since a wheel's tick costs CPU even idle (ticks of 10 ms took 0.9% of a core here, measured).
     */
    private final HashedWheelTimer timer =
            new HashedWheelTimer(new DefaultThreadFactory("aigw-lettuce-timer", true), 100, TimeUnit.MILLISECONDS);

    private final List<ClientResources> made = new ArrayList<>();

    /** Resources whose connections live on {@code loop}. */
    ClientResources on(EventLoop loop) {
        ClientResources r = DefaultClientResources.builder()
                .eventLoopGroupProvider(new OneLoop(loop))
                .eventExecutorGroup(computation)
                .timer(timer)
                // As the store's own resources: reconnect attempts at most 1 s apart.
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        made.add(r);
        return r;
    }

    /** After the stores: the loops are not ours to stop, the shared threads are. */
    @Override
    public void close() {
        for (ClientResources r : made) {
            r.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        timer.stop();
        computation.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** Gives Lettuce one loop, whatever group class it asks for, and never shuts it down. */
    private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            // Lettuce asks by its transport's group class and uses the answer only as an EventLoopGroup; our
            // loop runs the same transport (epoll, else NIO), which its channel class checks on registration.
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }

    /** The loops of {@code group}, in order. */
    static List<EventLoop> loopsOf(EventLoopGroup group) {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((EventLoop) e);
        }
        return loops;
    }
}
