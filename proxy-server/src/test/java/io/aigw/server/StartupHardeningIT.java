package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code Main} in its own JVM: start-up lines and running out of file descriptors. */
class StartupHardeningIT {
    private static final String KEY = "sk-test-client-key";
    private static final String PROVIDERS = "providers:\n  a: {type: openai, base_url: \"http://127.0.0.1:9/v1\"}\n";

    @TempDir
    Path dir;

    /** Main under {@code bash -c 'ulimit -n N; exec java …'} when openFiles > 0. */
    private Process launch(String yaml, int openFiles) throws IOException {
        Path config = dir.resolve("proxy.yaml");
        Files.writeString(config, yaml);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        if (Runtime.version().feature() >= 24) {
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"), "io.aigw.server.Main", "--config", config.toString()));
        if (openFiles > 0) {
            List<String> quoted = new ArrayList<>();
            for (String c : command) {
                quoted.add("'" + c.replace("'", "'\\''") + "'");
            }
            command = List.of("bash", "-c", "ulimit -n " + openFiles + " && exec " + String.join(" ", quoted));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(dir.toFile());
        pb.environment().remove("PROXY_API_KEYS");
        pb.environment().remove("PROXY_ADMIN_KEYS");
        pb.environment().remove("PROXY_PORT");
        pb.redirectErrorStream(true);
        return pb.start();
    }

    private static List<String> lines(InputStream in) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(line);
            }
        }
        return out;
    }

    private List<String> failedStart(String yaml, int exitCode) throws Exception {
        Process p = launch(yaml, 0);
        try {
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "still running: start-up did not fail");
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly(); // a start that wrongly succeeded must not outlive the test
            }
        }
        List<String> out = lines(p.getInputStream());
        assertEquals(exitCode, p.exitValue(), String.join("\n", out));
        return out;
    }

    @Test
    void anUnknownHostIsOneClearLine() throws Exception {
        List<String> out = failedStart(
                "server: {host: nosuch.invalid, port: 8080}\nauth: {api_keys: [" + KEY + "]}\n" + PROVIDERS, 1);
        String last = out.get(out.size() - 1);
        assertEquals("aigw: cannot listen on nosuch.invalid:8080: unknown host", last, String.join("\n", out));
    }

    @Test
    void aShortClientKeyIsAConfigErrorNamingItsPositionNotItsValue() throws Exception {
        List<String> out = failedStart(
                "server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [" + KEY + ", sk-short1]}\n" + PROVIDERS, 2);
        assertEquals(1, out.size(), String.join("\n", out));
        assertTrue(out.get(0).startsWith("aigw: config error: auth.api_keys[1]: "), out.get(0));
        assertTrue(out.get(0).contains("16"), out.get(0));
        assertFalse(out.get(0).contains("sk-short1"), "the key itself is never shown: " + out.get(0));
    }

    @Test
    void aShortAdminKeyIsAConfigErrorToo() throws Exception {
        List<String> out = failedStart(
                "server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [" + KEY + "], admin_keys: [adm]}\n" + PROVIDERS,
                2);
        assertEquals(1, out.size(), String.join("\n", out));
        assertTrue(out.get(0).startsWith("aigw: config error: auth.admin_keys[0]: "), out.get(0));
        assertFalse(out.get(0).contains("adm]"), out.get(0));
    }

    /**
     * More connections than the process has descriptors for: accept fails with EMFILE. Netty's own
     * acceptor logged a warning (with a stack trace) every second of it; the proxy must back off
     * quietly and serve again once the connections are gone.
     */
    @Test
    void runningOutOfDescriptorsBacksOffQuietlyAndRecovers() throws Exception {
        Process p = launch("server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [" + KEY + "]}\n" + PROVIDERS, 256);
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        List<Socket> sockets = new ArrayList<>();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            Pattern listening = Pattern.compile("listening on [^:]+:(\\d+)");
            String line;
            while (port < 0 && (line = r.readLine()) != null) {
                out.add(line);
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "started: " + out);
            Thread drain = new Thread(() -> {
                try {
                    String l;
                    while ((l = r.readLine()) != null) {
                        out.add(l);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            drain.setDaemon(true);
            drain.start();

            // Served once first, as a running proxy has: the test loads classes from a directory, a file
            // per class, which cannot happen once descriptors are out (a jar is opened once at start).
            assertEquals(200, healthWithin(port, 10_000));
            for (int i = 0; i < 400; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                sockets.add(s);
            }
            Thread.sleep(3500); // long enough for several of Netty's once-a-second retries
            for (Socket s : sockets) {
                s.close();
            }
            sockets.clear();

            assertEquals(200, healthWithin(port, 10_000), "answers /health again: " + String.join("\n", out));
            long warnings;
            synchronized (out) {
                warnings = out.stream()
                        .filter(l -> l.contains("Too many open files"))
                        .count();
                assertTrue(warnings >= 1, "the descriptors did run out: " + String.join("\n", out));
                assertTrue(warnings <= 2, warnings + " accept warnings:\n" + String.join("\n", out));
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** GET /health over a fresh connection, retried until 200 or the deadline; the last status. */
    private static int healthWithin(int port, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        int status = -1;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(2000);
                OutputStream o = s.getOutputStream();
                o.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                o.flush();
                String statusLine = new BufferedReader(
                                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (statusLine != null) {
                    status = Integer.parseInt(statusLine.split(" ")[1]);
                    if (status == 200) {
                        return status;
                    }
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(100);
        }
        return status;
    }
}
