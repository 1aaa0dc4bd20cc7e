package io.aigw.server.it;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus' {@code promtool} on a scrape, bounded in time. */
final class Promtool {
    record Result(int exitCode, String output) {}

    private Promtool() {}

    /** promtool's path on the PATH, or null. */
    static String path() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, "promtool");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    static Result checkMetrics(String promtool, String scrape) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(promtool, "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool check metrics did not finish within 20 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
