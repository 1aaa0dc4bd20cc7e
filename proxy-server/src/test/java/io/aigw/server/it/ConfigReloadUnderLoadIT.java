package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload while 200 slow streams are open and plain requests flow: model m moves from provider a
 * to b, provider c comes with a new model, and an invalid reload comes first. No request may fail,
 * no stream may break, the first request sent after the reload's answer must already take the new
 * route, the invalid reload must change nothing. {@code -Daigw.reload.load_seconds=60} for the
 * acceptance run (8 s by default).
 */
class ConfigReloadUnderLoadIT {
    private static final int STREAMS = 200;
    private static final long CHUNK_MILLIS = 80;
    private static final int PLAIN_CLIENTS = 4;
    private static final String OK = FailoverIT.OK;

    @TempDir
    Path dir;

    /** What one plain request saw. */
    private record Sent(long sentNanos, long answeredNanos, String model, int status, String provider) {}

    private static String yaml(String a, String b, String c, String mProvider, String cModel) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 2}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  a: {type: openai, base_url: "%s", api_key: sk-provider-a-secret}
                  b: {type: openai, base_url: "%s", api_key: sk-provider-b-secret}
                %s
                models:
                  m:
                    providers:
                      %s: {model_id: m-id}
                %s
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        a,
                        b,
                        c == null ? "" : "  c: {type: openai, base_url: \"" + c + "\", api_key: sk-provider-c-secret}",
                        mProvider,
                        cModel);
    }

    private void write(Path file, String yaml) throws Exception {
        Path tmp = dir.resolve("proxy.yaml.tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Plain requests answer at once; a stream sends {@code chunks} events, one every {@link #CHUNK_MILLIS}. */
    private static Function<RecordedRequest, Reply> provider(
            ScheduledExecutorService timer, int chunks, AtomicInteger streamsStarted) {
        return r -> {
            if (!r.bodyUtf8().contains("\"stream\":true")) {
                return Reply.json(200, OK);
            }
            streamsStarted.incrementAndGet();
            StreamScript script = new StreamScript();
            sendFrom(0, chunks, script, timer);
            return Reply.stream(script);
        };
    }

    /**
     * Chunk {@code i}, then the next one scheduled from it: a chain per stream, so its chunks and its
     * end keep their order whichever of the timer's threads runs them. (Scheduled all at once, a busy
     * machine let the last chunk and the end, both overdue, run on two threads at the same time, and
     * the end could win: a chunk missing at the mock, not in the proxy.)
     */
    private static void sendFrom(int i, int chunks, StreamScript script, ScheduledExecutorService timer) {
        timer.schedule(
                () -> {
                    if (i == chunks) {
                        script.end();
                        return;
                    }
                    script.send("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-id\","
                            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i
                            + ";\"},\"finish_reason\":null}]}");
                    sendFrom(i + 1, chunks, script, timer);
                },
                CHUNK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    }

    private static HttpRequest post(ProxyHarness proxy, String body) {
        return HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    @Test
    void aReloadUnderLoadBreaksNoStreamAndFailsNoRequest() throws Exception {
        long loadMillis = TimeUnit.SECONDS.toMillis(Integer.getInteger("aigw.reload.load_seconds", 8));
        int chunks = (int) (loadMillis * 3 / 4 / CHUNK_MILLIS);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        AtomicInteger streamsStarted = new AtomicInteger();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start();
                TestUpstream c = TestUpstream.start()) {
            a.setDefault(provider(timer, chunks, streamsStarted));
            b.setDefault(provider(timer, chunks, streamsStarted));
            c.setDefault(r -> Reply.json(200, OK));
            Path file = dir.resolve("proxy.yaml");
            write(file, yaml(a.baseUrl(), b.baseUrl(), null, "a", ""));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                long start = System.nanoTime();
                List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    streams.add(http.sendAsync(post(proxy, chat("m", true)), HttpResponse.BodyHandlers.ofString()));
                }
                long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (streamsStarted.get() < STREAMS && System.nanoTime() < waitUntil) {
                    Thread.sleep(10);
                }
                assertEquals(STREAMS, streamsStarted.get(), "every stream open at the provider");

                Queue<Sent> sent = new ConcurrentLinkedQueue<>();
                Queue<String> failures = new ConcurrentLinkedQueue<>();
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicBoolean newModel = new AtomicBoolean();
                CountDownLatch clientsDone = new CountDownLatch(PLAIN_CLIENTS);
                for (int t = 0; t < PLAIN_CLIENTS; t++) {
                    Thread client = new Thread(
                            () -> {
                                try {
                                    int i = 0;
                                    while (running.get()) {
                                        String model = newModel.get() && i++ % 2 == 1 ? "cm" : "m";
                                        long at = System.nanoTime();
                                        try {
                                            HttpResponse<String> r = http.send(
                                                    post(proxy, chat(model, false)),
                                                    HttpResponse.BodyHandlers.ofString());
                                            String by = r.headers()
                                                    .firstValue("x-proxy-provider")
                                                    .orElse("");
                                            sent.add(new Sent(at, System.nanoTime(), model, r.statusCode(), by));
                                            if (r.statusCode() != 200) {
                                                failures.add(model + ": " + r.statusCode() + " " + r.body());
                                            }
                                        } catch (Exception e) {
                                            failures.add(model + ": " + e);
                                        }
                                    }
                                } finally {
                                    clientsDone.countDown();
                                }
                            },
                            "plain-client-" + t);
                    client.setDaemon(true);
                    client.start();
                }

                Thread.sleep(loadMillis / 4);
                write(file, yaml(a.baseUrl(), b.baseUrl(), c.baseUrl(), "nowhere", ""));
                HttpResponse<String> invalid = proxy.adminPost("/admin/config/reload");
                assertEquals(400, invalid.statusCode(), invalid.body());
                long invalidDone = System.nanoTime();

                Thread.sleep(loadMillis / 4);
                write(
                        file,
                        yaml(
                                a.baseUrl(),
                                b.baseUrl(),
                                c.baseUrl(),
                                "b",
                                "  cm:\n    providers:\n      c: {model_id: c-id}\n"));
                long reloadSent = System.nanoTime();
                HttpResponse<String> reloaded = proxy.adminPost("/admin/config/reload");
                long reloadDone = System.nanoTime();
                assertEquals(200, reloaded.statusCode(), reloaded.body());
                assertTrue(reloaded.body().contains("\"status\":\"reloaded\""), reloaded.body());
                newModel.set(true);

                long left = loadMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                Thread.sleep(Math.max(500, left));
                running.set(false);
                assertTrue(clientsDone.await(30, TimeUnit.SECONDS), "plain clients finished");

                int brokenStreams = 0;
                List<String> streamProblems = new ArrayList<>();
                for (CompletableFuture<HttpResponse<String>> f : streams) {
                    HttpResponse<String> r;
                    try {
                        r = f.get(chunks * CHUNK_MILLIS + 30_000, TimeUnit.MILLISECONDS);
                    } catch (Exception e) {
                        brokenStreams++;
                        streamProblems.add(e.toString());
                        continue;
                    }
                    String body = r.body();
                    boolean whole = r.statusCode() == 200
                            && body.contains("tok" + (chunks - 1) + ";")
                            && body.trim().endsWith("data: [DONE]")
                            && count(body, "tok") == chunks
                            && "a"
                                    .equals(r.headers()
                                            .firstValue("x-proxy-provider")
                                            .orElse(""));
                    if (!whole) {
                        brokenStreams++;
                        streamProblems.add(r.statusCode() + " " + body.substring(Math.max(0, body.length() - 200)));
                    }
                }

                List<Sent> afterReload = new ArrayList<>();
                long firstNewRouteNanos = Long.MAX_VALUE;
                int beforeOnA = 0;
                int cmOnC = 0;
                for (Sent s : sent) {
                    if (s.model().equals("m") && s.sentNanos() > reloadDone) {
                        afterReload.add(s);
                        if (s.provider().equals("b")) {
                            firstNewRouteNanos = Math.min(firstNewRouteNanos, s.answeredNanos());
                        }
                    } else if (s.model().equals("m") && s.answeredNanos() < reloadSent) {
                        assertEquals("a", s.provider(), "before the good reload (and after the invalid one): a");
                        if (s.sentNanos() > invalidDone) {
                            beforeOnA++;
                        }
                    } else if (s.model().equals("cm")) {
                        assertEquals("c", s.provider(), "the new model on the new provider");
                        cmOnC++;
                    }
                }
                double timeToNewRouteMs = (firstNewRouteNanos - reloadDone) / 1e6;
                System.out.printf(
                        "reload under load: %d s, %d plain requests, %d streams (%d chunks each), %d failed requests,"
                                + " %d broken streams, time to new route %.1f ms, %d requests for m after the reload"
                                + " all on b, %d on the new model via c%n",
                        loadMillis / 1000,
                        sent.size(),
                        STREAMS,
                        chunks,
                        failures.size(),
                        brokenStreams,
                        timeToNewRouteMs,
                        afterReload.size(),
                        cmOnC);
                assertEquals(List.of(), List.copyOf(failures), "failed requests");
                assertEquals(0, brokenStreams, "broken streams: " + streamProblems);
                assertTrue(beforeOnA > 0, "requests flowed between the invalid and the good reload");
                assertTrue(!afterReload.isEmpty() && cmOnC > 0, "requests flowed after the reload");
                for (Sent s : afterReload) {
                    assertEquals("b", s.provider(), "every request for m sent after the reload's answer: b");
                }
                assertTrue(timeToNewRouteMs < 1000, "the new route within 1 s: " + timeToNewRouteMs);
            }
        } finally {
            timer.shutdownNow();
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
