package io.aigw.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code io.aigw.server.Main} in a JVM of its own (as an operator runs it), on the test's class
 * path. Its output is kept (the last lines, for failure messages) and drained so it never blocks.
 */
public final class AigwProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");
    private static final int KEPT_LINES = 400;

    private final Process process;
    private final List<String> output = new ArrayList<>(); // guarded by itself
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    private AigwProcess(Process process) {
        this.process = process;
        Thread drain = new Thread(this::drain, "aigw-process-output");
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts Main with {@code --config config}, in {@code workDir}; does not wait for it to listen. */
    public static AigwProcess launch(Path config, Path workDir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        if (Runtime.version().feature() >= 24) {
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        command.addAll(List.of(
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.aigw.server.Main",
                "--config",
                config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.directory(workDir.toFile());
        // The environment's overrides would change the config under test.
        pb.environment().keySet().removeIf(k -> k.startsWith("PROXY_") || k.startsWith("AIGW_"));
        return new AigwProcess(pb.start());
    }

    /** The port it listens on, once it logged so; fails with its output if it stopped or took too long. */
    public int awaitPort(long timeoutSeconds) throws InterruptedException {
        try {
            return port.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the server did not start (" + e + "):\n" + output(), e);
        }
    }

    /** Its process id (to signal it). */
    public long pid() {
        return process.pid();
    }

    /** Whether it is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its last lines of output. */
    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private void drain() {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                    if (output.size() > KEPT_LINES) {
                        output.remove(0);
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException gone) {
            // the process is gone
        }
        port.completeExceptionally(new IllegalStateException("the process ended"));
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
