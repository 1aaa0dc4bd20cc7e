package io.aigw.bench.log;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The request-log acceptance load: a fixed number of chat requests at a constant rate (open loop),
 * every {@code --stream-every}th one streamed, each with its own {@code x-request-id}
 * ({@code <prefix><n>}) so the rows can be matched one for one. Latency counts from each request's
 * intended send time (so a stall of the sender is not hidden) to the last body byte; for streams the
 * time to the first body byte too. Every answer is checked: status 200, our request id echoed, a
 * whole chat completion, or a stream of {@code --expect-stream-events} data events ending in
 * {@code [DONE]}.
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' io.aigw.bench.log.MixedLoad \
 *   --url http://127.0.0.1:8080/v1/chat/completions --key KEY --requests 10000 --rate 125 \
 *   --stream-every 3 --plain-model mock --stream-model 'mock;chunks=20;size=240' \
 *   --expect-stream-events 22 --id-prefix acc- --out requests.csv \
 *   [--warmup-requests 3000 --warmup-rate 500 --warmup-prefix warm-] [--timeout-s 30]
 * </pre>
 *
 * The warm-up runs first, in the same JVM (so this client's JIT is warm too), with its own ids; when
 * it is over, a line {@code mixed load: warm-up ... done} goes to stderr and the measured run starts.
 *
 * The CSV has one line per request: {@code n,stream,intended_epoch_ms,latency_us,ttfb_us,status,ok,error};
 * a JSON summary goes to stdout.
 */
public final class MixedLoad {

    private MixedLoad() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Args.parse(
                args,
                "--url",
                "",
                "--key",
                "",
                "--requests",
                "10000",
                "--rate",
                "125",
                "--stream-every",
                "3",
                "--plain-model",
                "mock",
                "--stream-model",
                "mock;chunks=20;size=240",
                "--expect-stream-events",
                "22",
                "--id-prefix",
                "acc-",
                "--out",
                "",
                "--timeout-s",
                "30",
                "--warmup-requests",
                "0",
                "--warmup-rate",
                "500",
                "--warmup-prefix",
                "warm-");
        if (o.get("--url").isEmpty()) {
            throw new IllegalArgumentException("--url is required");
        }
        int n = Integer.parseInt(o.get("--requests"));
        double rate = Double.parseDouble(o.get("--rate"));
        int streamEvery = Integer.parseInt(o.get("--stream-every"));
        int expectEvents = Integer.parseInt(o.get("--expect-stream-events"));
        String prefix = o.get("--id-prefix");
        Duration timeout = Duration.ofSeconds(Long.parseLong(o.get("--timeout-s")));
        URI uri = URI.create(o.get("--url"));

        byte[][] bodies = {body(o.get("--plain-model"), false), body(o.get("--stream-model"), true)};
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        Load load = new Load(client, uri, o.get("--key"), bodies, streamEvery, expectEvents, timeout);
        int warmup = Integer.parseInt(o.get("--warmup-requests"));
        if (warmup > 0) {
            // Warms the JIT of this client and of the server on the same code paths; checked, not reported.
            Result[] warm = load.run(o.get("--warmup-prefix"), warmup, Double.parseDouble(o.get("--warmup-rate")));
            long bad = Arrays.stream(warm)
                    .filter(r -> r == null || r.error != null)
                    .count();
            System.err.println("mixed load: warm-up of " + warmup + " request(s) done, " + bad + " failed");
        }
        long t0 = System.nanoTime();
        Result[] results = load.run(prefix, n, rate);
        long sendEnd = load.lastSendNanos;
        long[] latencies = Arrays.stream(results)
                .filter(r -> r != null && r.error == null)
                .mapToLong(r -> r.latencyUs)
                .sorted()
                .toArray();
        long ok = latencies.length;
        long streams = Arrays.stream(results)
                .filter(r -> r != null && r.stream && r.error == null)
                .count();
        if (!o.get("--out").isEmpty()) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(o.get("--out"))))) {
                w.println("n,stream,intended_epoch_ms,latency_us,ttfb_us,status,ok,error");
                for (int i = 0; i < n; i++) {
                    Result r = results[i];
                    if (r == null) {
                        w.println(i + ",,,,,0,0,never completed");
                        continue;
                    }
                    w.println(r.n + "," + (r.stream ? 1 : 0) + ","
                            + String.format(Locale.ROOT, "%.3f", r.intendedEpochMs)
                            + "," + r.latencyUs + "," + r.ttfbUs + "," + r.status + "," + (r.error == null ? 1 : 0)
                            + ","
                            + (r.error == null ? "" : r.error.replace(',', ';').replace('\n', ' ')));
                }
            }
        }
        String firstError = Arrays.stream(results)
                .filter(r -> r == null || r.error != null)
                .map(r -> r == null ? "never completed" : r.error)
                .findFirst()
                .orElse(null);
        System.out.println(
                "{\"requests\":" + n + ",\"ok\":" + ok + ",\"errors\":" + (n - ok) + ",\"streams_ok\":" + streams
                        + ",\"achieved_send_rps\":" + Math.round(n / ((sendEnd - t0) / 1e9))
                        + ",\"p50_us\":" + pct(latencies, 50) + ",\"p99_us\":" + pct(latencies, 99)
                        + ",\"max_us\":" + (latencies.length == 0 ? -1 : latencies[latencies.length - 1])
                        + (firstError == null
                                ? ""
                                : ",\"first_error\":\""
                                        + firstError.replace("\\", "\\\\").replace("\"", "'") + "\"")
                        + "}");
        System.exit(0); // the HttpClient's selector thread is not a daemon in every JDK
    }

    private static byte[] body(String model, boolean stream) {
        String m = model.replace("\\", "\\\\").replace("\"", "\\\"");
        return ("{\"model\":\"" + m + "\"," + (stream ? "\"stream\":true," : "")
                        + "\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                        + "{\"role\":\"user\",\"content\":\"Say hello, and nothing else. My address is jane.doe@example.com.\"}],"
                        + "\"max_tokens\":64}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Null when the answer is right, else what is wrong with it. */
    static String check(int status, String echoedId, byte[] bytes, String id, boolean stream, int expectEvents) {
        if (status != 200) {
            return "HTTP " + status;
        }
        if (!id.equals(echoedId)) {
            return "x-request-id " + echoedId + " instead of " + id;
        }
        String body = new String(bytes, StandardCharsets.UTF_8);
        if (!stream) {
            return body.contains("\"chat.completion\"") && body.contains("\"usage\"") ? null : "not a chat completion";
        }
        int events = 0;
        for (int at = body.indexOf("data:"); at >= 0; at = body.indexOf("data:", at + 5)) {
            if (at == 0 || body.charAt(at - 1) == '\n') {
                events++;
            }
        }
        if (!body.endsWith("data: [DONE]\n\n")) {
            return "stream does not end with [DONE]";
        }
        return expectEvents > 0 && events != expectEvents ? events + " data events instead of " + expectEvents : null;
    }

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Sends requests at a constant rate and waits for every answer. */
    private static final class Load {
        final HttpClient client;
        final URI uri;
        final String key;
        final byte[][] bodies;
        final int streamEvery;
        final int expectEvents;
        final Duration timeout;
        long lastSendNanos;

        Load(
                HttpClient client,
                URI uri,
                String key,
                byte[][] bodies,
                int streamEvery,
                int expectEvents,
                Duration timeout) {
            this.client = client;
            this.uri = uri;
            this.key = key;
            this.bodies = bodies;
            this.streamEvery = streamEvery;
            this.expectEvents = expectEvents;
            this.timeout = timeout;
        }

        Result[] run(String prefix, int n, double rate) throws InterruptedException {
            Result[] results = new Result[n];
            CountDownLatch done = new CountDownLatch(n);
            long periodNs = Math.round(1e9 / rate);
            long epochStartMs = System.currentTimeMillis();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long intended = t0 + i * periodNs;
                for (long left; (left = intended - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(left);
                }
                send(prefix, i, intended, epochStartMs + (intended - t0) / 1e6, results, done);
            }
            lastSendNanos = System.nanoTime();
            if (!done.await(timeout.toSeconds() + 30, TimeUnit.SECONDS)) {
                System.err.println("mixed load: " + done.getCount() + " request(s) never completed");
            }
            return results;
        }

        private void send(
                String prefix,
                int index,
                long intended,
                double intendedEpochMs,
                Result[] results,
                CountDownLatch done) {
            boolean stream = streamEvery > 0 && index % streamEvery == streamEvery - 1;
            String id = prefix + index;
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("x-request-id", id)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[stream ? 1 : 0]));
            if (!key.isEmpty()) {
                rb.header("Authorization", "Bearer " + key);
            }
            Collector collector = new Collector();
            CompletableFuture<HttpResponse<byte[]>> f;
            try {
                f = client.sendAsync(
                        rb.build(), info -> HttpResponse.BodySubscribers.fromSubscriber(collector, c -> c.bytes()));
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((response, error) -> {
                long end = System.nanoTime();
                Result r = new Result(
                        index,
                        stream,
                        intendedEpochMs,
                        (end - intended) / 1000,
                        collector.firstByteAt == 0 ? -1 : (collector.firstByteAt - intended) / 1000);
                if (error != null) {
                    r.error = error.getClass().getSimpleName() + ": " + error.getMessage();
                } else {
                    r.status = response.statusCode();
                    r.error = check(
                            response.statusCode(),
                            response.headers().firstValue("x-request-id").orElse(null),
                            response.body(),
                            id,
                            stream,
                            expectEvents);
                }
                results[index] = r;
                done.countDown();
            });
        }
    }

    private static final class Result {
        final int n;
        final boolean stream;
        final double intendedEpochMs;
        final long latencyUs;
        final long ttfbUs;
        int status;
        String error;

        Result(int n, boolean stream, double intendedEpochMs, long latencyUs, long ttfbUs) {
            this.n = n;
            this.stream = stream;
            this.intendedEpochMs = intendedEpochMs;
            this.latencyUs = latencyUs;
            this.ttfbUs = ttfbUs;
        }
    }

    /** Keeps the body and the time its first byte arrived. */
    private static final class Collector implements Flow.Subscriber<List<ByteBuffer>> {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        volatile long firstByteAt;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (b.hasRemaining() && firstByteAt == 0) {
                    firstByteAt = System.nanoTime();
                }
                byte[] a = new byte[b.remaining()];
                b.get(a);
                out.write(a, 0, a.length);
            }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onComplete() {}

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
