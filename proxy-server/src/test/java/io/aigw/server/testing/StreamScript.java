package io.aigw.server.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A test-driven event stream for {@link Reply#stream}. Every method may be called from any thread:
 * the action hops to the connection's event loop, in call order. Actions issued before the request
 * arrives are queued and run once the response headers are out. One script serves one request.
 */
public final class StreamScript {

    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch closedByPeer = new CountDownLatch(1);
    private final Object lock = new Object();
    private Exchange exchange; // guarded by lock
    private List<Consumer<Exchange>> pending = new ArrayList<>(); // guarded by lock; null once bound
    private boolean finished; // event-loop confined

    /** Sends {@code data: <payload>\n\n} as one flushed chunk. */
    public void send(String dataPayload) {
        sendRaw("data: " + dataPayload + "\n\n");
    }

    /** Sends {@code raw} verbatim as one flushed chunk. */
    public void sendRaw(String raw) {
        run(ex -> {
            if (!finished) {
                ex.chunk(raw);
            }
        });
    }

    /** Sends {@code data: [DONE]\n\n} and the terminating chunk. */
    public void end() {
        run(ex -> finish(ex, true));
    }

    /** Sends the terminating chunk without a [DONE] event. */
    public void endWithoutDone() {
        run(ex -> finish(ex, false));
    }

    /** Closes the connection mid-stream (the response is never terminated). */
    public void abort() {
        run(ex -> {
            finished = true;
            ex.closeNow();
        });
    }

    /** True once the response headers have been sent. */
    public boolean awaitStarted(Duration timeout) {
        return await(started, timeout);
    }

    /** True once the peer (the proxy) closed the connection; our own abort() does not count. */
    public boolean awaitClosedByPeer(Duration timeout) {
        return await(closedByPeer, timeout);
    }

    void bind(Exchange ex) {
        ex.startEventStream();
        ex.ctx.channel().closeFuture().addListener(f -> {
            if (ex.closedByPeer()) {
                closedByPeer.countDown();
            }
        });
        List<Consumer<Exchange>> queued;
        synchronized (lock) {
            if (exchange != null) {
                throw new IllegalStateException("a StreamScript serves one request");
            }
            exchange = ex;
            queued = pending;
            pending = null;
        }
        // Still on the event loop, so these run before anything a concurrent run() submits now.
        queued.forEach(op -> op.accept(ex));
        started.countDown();
    }

    private void finish(Exchange ex, boolean withDone) {
        if (finished) {
            return;
        }
        finished = true;
        if (withDone) {
            ex.chunk(Exchange.DONE_EVENT);
        }
        ex.endStream();
    }

    private void run(Consumer<Exchange> op) {
        Exchange ex;
        synchronized (lock) {
            if (exchange == null) {
                pending.add(op);
                return;
            }
            ex = exchange;
        }
        try {
            ex.ctx.executor().execute(() -> op.accept(ex));
        } catch (RejectedExecutionException e) {
            // TestUpstream was closed; the connection is gone, so there is nothing left to write to.
        }
    }

    private static boolean await(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
