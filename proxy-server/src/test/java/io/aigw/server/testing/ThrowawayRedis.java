package io.aigw.server.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own (no persistence) on a free port, to kill and start again on the same
 * port; never the machine's shared one.
 */
public final class ThrowawayRedis implements AutoCloseable {
    private final int port;
    private Process process;

    private ThrowawayRedis(int port) {
        this.port = port;
    }

    /**
     * Started and accepting connections. Without a {@code redis-server} binary the test fails under
     * {@code CI=true} and skips elsewhere, as the tests on the machine's Redis do.
     */
    public static ThrowawayRedis start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ThrowawayRedis r = new ThrowawayRedis(port);
        try {
            r.restart();
        } catch (IOException e) {
            String why = "cannot run redis-server: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: the Redis tests must run)");
            }
            assumeTrue(false, why);
        }
        return r;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** SIGKILL, as a crashed Redis: clients see their connections reset, no orderly goodbye. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts it (again) on the same port; returns once it accepts connections. */
    public synchronized void restart() throws Exception {
        if (process != null) {
            throw new IllegalStateException("already running");
        }
        Process p = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IllegalStateException("redis-server exited on port " + port + ": " + p.exitValue());
            }
            try (Socket probe = new Socket("127.0.0.1", port)) {
                process = p;
                return;
            } catch (IOException notYet) {
                Thread.sleep(10);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
