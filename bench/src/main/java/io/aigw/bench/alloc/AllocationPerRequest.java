package io.aigw.bench.alloc;

import io.aigw.bench.mock.MockProvider;
import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.server.ProxyServer;
import io.aigw.server.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes allocated (and CPU spent) by aigw's event loop per proxied request: a real in-process server
 * and the bench mock provider, driven over loopback sockets by a few keep-alive clients.
 *
 * <p>Allocation comes from {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes} of the
 * server's {@code aigw-io} threads (which also run its upstream connections), so it is exact and
 * does not depend on how busy the machine is; the clients and the mock allocate on threads of their
 * own and are not counted. CPU per request is reported too, but that one is as noisy as the machine.
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' io.aigw.bench.alloc.AllocationPerRequest \
 *     [requests=200000] [connections=8] [warmup=50000] [variant=off|nometrics|default] [body=small|stream]
 * </pre>
 *
 * <p>It uses only public entry points (config loader, {@code ProxyServer}, the mock), so the same
 * class compiled against an older build measures that build the same way.
 */
public final class AllocationPerRequest {
    private static final String KEY = "sk-alloc-0123456789abcdef";

    private AllocationPerRequest() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new java.util.HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int requests = Integer.parseInt(opts.getOrDefault("requests", "200000"));
        int connections = Integer.parseInt(opts.getOrDefault("connections", "8"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "50000"));
        String variant = opts.getOrDefault("variant", "off");
        String body = opts.getOrDefault("body", "small");
        if (System.getProperty("logback.configurationFile") == null && Files.exists(Path.of("conf/logback.xml"))) {
            System.setProperty("logback.configurationFile", "conf/logback.xml");
        }
        Result r = run(requests, connections, warmup, variant, body);
        System.out.printf(
                Locale.ROOT,
                "variant=%s body=%s requests=%d connections=%d: %.0f bytes/request on the event loop, %.1f µs CPU/request%n",
                variant,
                body,
                requests,
                connections,
                r.bytesPerRequest(),
                r.cpuMicrosPerRequest());
        System.exit(0);
    }

    /** What one run measured on the server's event loop threads. */
    public record Result(double bytesPerRequest, double cpuMicrosPerRequest) {}

    public static Result run(int requests, int connections, int warmup, String variant, String body) throws Exception {
        Path dir = Files.createTempDirectory("aigw-alloc");
        try (MockProvider mock = MockProvider.start(0)) {
            ProxyConfig config = config(dir, mock.port(), variant);
            ProxyServer server =
                    new ProxyServer(config, new ApiKeyStore(config.auth().apiKeyHashes()));
            try {
                server.start();
                byte[] request = request(server.port(), body);
                drive(server.port(), request, warmup, connections);
                List<Long> loops = eventLoopThreads();
                com.sun.management.ThreadMXBean mx =
                        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long bytes0 = sum(loops, mx::getThreadAllocatedBytes);
                long cpu0 = sum(loops, mx::getThreadCpuTime);
                drive(server.port(), request, requests, connections);
                long bytes = sum(loops, mx::getThreadAllocatedBytes) - bytes0;
                long cpu = sum(loops, mx::getThreadCpuTime) - cpu0;
                return new Result((double) bytes / requests, cpu / 1000.0 / requests);
            } finally {
                server.close();
            }
        }
    }

    private interface PerThread {
        long of(long id);
    }

    private static long sum(List<Long> ids, PerThread f) {
        long s = 0;
        for (long id : ids) {
            s += Math.max(0, f.of(id));
        }
        return s;
    }

    private static List<Long> eventLoopThreads() {
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("aigw-io")) {
                ids.add(t.getId());
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalStateException("no aigw-io thread found");
        }
        return ids;
    }

    private static ProxyConfig config(Path dir, int mockPort, String variant) throws Exception {
        String extra = switch (variant) {
            case "off" -> "request_log: {store: off}\n";
            case "nometrics" -> "request_log: {store: off}\nmetrics: {enabled: false}\n";
            case "default" -> "";
            default -> throw new IllegalArgumentException("variant: off, nometrics or default");
        };
        String yaml = "server: {host: 127.0.0.1, port: 0, io_threads: 1}\n"
                + "upstream: {max_connections: 2000, max_pending_acquires: 2000}\n"
                + "auth: {api_keys: [\"" + KEY + "\"]}\n"
                + "data_dir: " + dir.resolve("data") + "\n"
                + extra
                + "providers:\n  mock: {type: openai, base_url: \"http://127.0.0.1:" + mockPort + "/v1\"}\n"
                + "models:\n  \"mock\": {providers: {mock: {}}}\n  \"mock;chunks=20\": {providers: {mock: {}}}\n";
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, yaml);
        return new ConfigLoader(Dialects.TYPES, Map.of()).load(file);
    }

    /** The rig's small chat request (or its 20-chunk stream), keep-alive. */
    private static byte[] request(int port, String body) {
        String json = switch (body) {
            case "small" ->
                "{\"model\":\"mock\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                        + "{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":16}";
            case "stream" ->
                "{\"model\":\"mock;chunks=20\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Count to twenty.\"}]}";
            default -> throw new IllegalArgumentException("body: small or stream");
        };
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + b.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(b, 0, out, h.length, b.length);
        return out;
    }

    /** {@code total} requests over {@code connections} keep-alive sockets, one in flight on each. */
    private static void drive(int port, byte[] request, int total, int connections) throws Exception {
        AtomicLong left = new AtomicLong(total);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(
                    () -> {
                        try (Socket s = new Socket()) {
                            s.setTcpNoDelay(true);
                            s.connect(new InetSocketAddress("127.0.0.1", port));
                            OutputStream out = s.getOutputStream();
                            ResponseReader in = new ResponseReader(s.getInputStream());
                            while (left.getAndDecrement() > 0) {
                                out.write(request);
                                out.flush();
                                int status = in.readResponse();
                                if (status != 200) {
                                    throw new IllegalStateException("status " + status);
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    },
                    "alloc-client-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a client failed", failures.get(0));
        }
    }

    /** Just enough HTTP/1.1 to find where a response ends: content-length or chunked. */
    static final class ResponseReader {
        private final InputStream in;
        private final byte[] buf = new byte[16384];
        private int pos;
        private int lim;

        ResponseReader(InputStream in) {
            this.in = in;
        }

        int readResponse() throws IOException {
            String status = line();
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String h; !(h = line()).isEmpty(); ) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (chunked) {
                for (long n; (n = Long.parseLong(line().trim(), 16)) > 0; ) {
                    skip(n);
                    line();
                }
                line();
            } else if (length > 0) {
                skip(length);
            }
            return code;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c; (c = read()) != '\n'; ) {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        private void skip(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                read();
            }
        }

        private int read() throws IOException {
            if (pos == lim) {
                lim = in.read(buf, 0, buf.length);
                pos = 0;
                if (lim <= 0) {
                    throw new IOException("connection closed mid-response");
                }
            }
            return buf[pos++] & 0xff;
        }
    }
}
