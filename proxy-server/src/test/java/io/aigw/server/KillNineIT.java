package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestPostgres;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code request_log.durability: wal} as an operator relies on it: the real {@code Main} in its own
 * JVM, killed with SIGKILL in the middle of a load; after a restart on the same data directory
 * every answer a client received in full has its row.
 */
class KillNineIT {
    private static final int CLIENTS = 16;
    private static final int REQUESTS = 300;
    private static final int KILL_AFTER = 120;

    @TempDir
    Path dir;

    @Test
    void walKeepsARowForEveryAnsweredRequestAcrossKillNineWithSqlite() throws Exception {
        Path db = dir.resolve("state").resolve("requests.db");
        answeredRequestsSurviveKillNine("{store: sqlite, durability: wal, flush_interval_ms: 2000}", () -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                return rows(c);
            }
        });
    }

    @Test
    void walKeepsARowForEveryAnsweredRequestAcrossKillNineWithPostgres() throws Exception {
        try (TestPostgres pg = TestPostgres.require()) {
            answeredRequestsSurviveKillNine(
                    "{store: postgres, postgres: {url: \"" + pg.url() + "\", user: " + TestPostgres.USER
                            + "}, durability: wal, flush_interval_ms: 2000}",
                    () -> {
                        try (Connection c = pg.connect()) {
                            return rows(c);
                        }
                    });
        }
    }

    interface Rows {
        Set<String> requestIds() throws Exception;
    }

    /** A long flush interval: without the WAL, a kill loses everything still queued. */
    private void answeredRequestsSurviveKillNine(String requestLog, Rows rows) throws Exception {
        try (TestUpstream upstream = TestUpstream.start()) {
            upstream.setDefault(r -> r.bodyUtf8().contains("\"stream\":true")
                    ? Reply.sse(List.of(
                            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}",
                            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                                    + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"))
                    : Reply.json(
                            200,
                            "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
                                    + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
                                    + "\"completion_tokens\":1,\"total_tokens\":2}}"));
            Path config = dir.resolve("proxy.yaml");
            Files.writeString(
                    config,
                    "server: {host: 127.0.0.1, port: 0}\ndata_dir: ./state\nauth: {api_keys: [sk-test-client-key]}\n"
                            + "providers:\n  a: {type: openai, base_url: \"" + upstream.baseUrl() + "\"}\n"
                            + "models:\n  m:\n    providers:\n      a: {}\n"
                            + "request_log: " + requestLog + "\n");

            Process first = launch(config);
            Set<String> answered;
            try {
                answered = load(port(first, new ArrayList<>()), first);
            } finally {
                first.destroyForcibly();
                assertTrue(first.waitFor(20, TimeUnit.SECONDS));
            }
            assertTrue(answered.size() >= KILL_AFTER, "answers before the kill: " + answered.size());

            Process again = launch(config);
            List<String> startLines = new ArrayList<>();
            try {
                port(again, startLines);
            } finally {
                again.destroy(); // SIGTERM: a graceful stop writes everything through
                assertTrue(again.waitFor(30, TimeUnit.SECONDS), "SIGTERM stops the server");
            }
            assertTrue(
                    startLines.stream().anyMatch(l -> l.contains("write-ahead log segment(s) of the last run")),
                    "the restart takes the WAL over: " + startLines);
            Set<String> stored = rows.requestIds();
            System.out.println("KillNineIT: " + answered.size() + " answered before SIGKILL, " + stored.size()
                    + " rows after the restart");
            Set<String> missing = new HashSet<>(answered);
            missing.removeAll(stored);
            assertEquals(
                    0,
                    missing.size(),
                    missing.size() + " of " + answered.size() + " answered requests have no row, e.g. "
                            + missing.stream().limit(3).toList());
        }
    }

    /**
     * 16 clients, plain and streamed requests, until the server is killed once {@value #KILL_AFTER}
     * answers are in; returns the request ids of the answers received whole.
     */
    private static Set<String> load(int port, Process server) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(KILL_AFTER);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int c = 0; c < CLIENTS; c++) {
                clients.execute(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < REQUESTS) {
                        boolean stream = i % 2 == 1;
                        HttpRequest request = HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                                .header("Authorization", "Bearer sk-test-client-key")
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(5))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":" + stream
                                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello " + i + "\"}]}"))
                                .build();
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            boolean whole = stream
                                    ? r.body().contains("data: [DONE]")
                                    : r.body().endsWith("}");
                            if (r.statusCode() == 200 && whole) {
                                answered.add(
                                        r.headers().firstValue("x-request-id").orElseThrow());
                                enough.countDown();
                            }
                        } catch (IOException e) {
                            // Cut by the kill: not an answer.
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
            assertTrue(enough.await(20, TimeUnit.SECONDS), "answers before the kill: " + answered.size());
            server.destroyForcibly(); // SIGKILL, mid-load
            server.waitFor(20, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(20, TimeUnit.SECONDS));
        }
        return new HashSet<>(answered);
    }

    private static Set<String> rows(Connection c) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT request_id FROM request_logs")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private Process launch(Path config) throws IOException {
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
        pb.directory(dir.toFile());
        pb.environment().remove("PROXY_API_KEYS");
        pb.environment().remove("PROXY_PORT");
        pb.environment().remove("PROXY_API_KEY");
        return pb.start();
    }

    /** Waits for the port the server listens on; then keeps draining its output so it never blocks. */
    private static int port(Process p, List<String> seen) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("listening on [^:]+:(\\d+)");
        String line;
        while ((line = out.readLine()) != null) {
            seen.add(line);
            Matcher m = listening.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // discard
                        }
                    } catch (IOException ignored) {
                        // the process is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the server did not start:\n" + String.join("\n", seen));
    }
}
