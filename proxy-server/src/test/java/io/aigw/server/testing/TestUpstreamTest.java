package io.aigw.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestUpstreamTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestUpstream up;
    private HttpClient client;

    @BeforeEach
    void setUp() {
        up = TestUpstream.start();
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void tearDown() {
        up.close();
    }

    @Test
    void jsonReplyCarriesStatusBodyAndHeaders() throws Exception {
        up.enqueue(Reply.json(201, "{\"ok\":true}", Map.of("x-request-id", "req-1")));

        HttpResponse<String> res = client.send(get("/models"), HttpResponse.BodyHandlers.ofString());

        assertEquals(201, res.statusCode());
        assertEquals("{\"ok\":true}", res.body());
        assertEquals(
                "application/json", res.headers().firstValue("content-type").orElse(null));
        assertEquals("11", res.headers().firstValue("content-length").orElse(null));
        assertEquals("req-1", res.headers().firstValue("x-request-id").orElse(null));
    }

    @Test
    void requestIsRecordedWithMethodUriHeadersAndBody() throws Exception {
        up.enqueue(Reply.text(200, "text/plain", "fine"));
        String body = "{\"model\":\"gpt-x\",\"messages\":[]}";

        HttpResponse<String> res = client.send(
                post("/chat/completions?x=1", body)
                        .header("Authorization", "Bearer sk-test")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals("fine", res.body());
        RecordedRequest req = up.takeRequest(WAIT);
        assertNotNull(req);
        assertEquals("POST", req.method());
        assertEquals("/v1/chat/completions?x=1", req.uri());
        assertEquals("Bearer sk-test", req.header("authorization"));
        assertEquals(body, req.bodyUtf8());
        assertEquals(body.length(), req.body().length);
        assertEquals(1, up.requestCount());
        assertNull(up.takeRequest(Duration.ofMillis(50)));
    }

    @Test
    void defaultResponderAnswersWhenQueueIsEmpty() throws Exception {
        up.enqueue(Reply.json(200, "\"scripted\""));
        up.setDefault(r -> Reply.text(200, "text/plain", "default for " + r.uri()));

        assertEquals(
                "\"scripted\"",
                client.send(get("/a"), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(
                "default for /v1/b",
                client.send(get("/b"), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void keepAliveReusesOneConnection() throws Exception {
        up.enqueue(Reply.json(200, "{\"n\":1}"));
        up.enqueue(Reply.json(200, "{\"n\":2}"));

        assertEquals(
                "{\"n\":1}",
                client.send(get("/models"), HttpResponse.BodyHandlers.ofString())
                        .body());
        assertEquals(
                "{\"n\":2}",
                client.send(get("/models"), HttpResponse.BodyHandlers.ofString())
                        .body());

        assertEquals(2, up.requestCount());
        assertEquals(1, up.connectionsOpened());
        assertEquals(0, up.connectionsClosed());
    }

    @Test
    void connectionCloseRequestHeaderIsHonoured() throws Exception {
        up.enqueue(Reply.json(200, "{}"));
        try (RawClient raw = new RawClient(up.port(), 0)) {
            raw.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            String head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("connection: close"), head);
            assertEquals("{}", new String(raw.readN(2), StandardCharsets.UTF_8));
            assertEquals(-1, raw.in.read(), "server closes after the response");
        }
        assertTrue(up.awaitConnectionClosed(WAIT));
        assertEquals(1, up.connectionsClosed());
    }

    @Test
    void sseReplyIsReadLineByLine() throws Exception {
        up.enqueue(Reply.sse(List.of("{\"a\":1}", "{\"a\":2}")));

        HttpResponse<Stream<String>> res = client.send(get("/chat/completions"), HttpResponse.BodyHandlers.ofLines());

        assertEquals(200, res.statusCode());
        assertEquals(
                "text/event-stream", res.headers().firstValue("content-type").orElse(null));
        assertEquals("chunked", res.headers().firstValue("transfer-encoding").orElse(null));
        try (Stream<String> lines = res.body()) {
            assertEquals(
                    List.of("data: {\"a\":1}", "", "data: {\"a\":2}", "", "data: [DONE]", ""),
                    lines.collect(Collectors.toList()));
        }
    }

    @Test
    void sseRawChunksAreWrittenVerbatim() throws Exception {
        up.enqueue(Reply.sseRaw(List.of("data: {\"a\"", ":1}\n", "\n")));
        try (RawClient raw = new RawClient(up.port(), 0)) {
            raw.send("GET /v1/x HTTP/1.1\r\nHost: x\r\n\r\n");
            raw.readHead();
            assertEquals(List.of("data: {\"a\"", ":1}\n", "\n"), raw.readChunks());
        }
    }

    @Test
    void streamScriptIsObservedIncrementally() throws Exception {
        StreamScript script = new StreamScript();
        up.enqueue(Reply.stream(script));

        CompletableFuture<HttpResponse<Stream<String>>> pending =
                client.sendAsync(get("/chat/completions"), HttpResponse.BodyHandlers.ofLines());
        assertTrue(script.awaitStarted(WAIT));
        script.send("{\"n\":1}");
        HttpResponse<Stream<String>> res = pending.get(10, TimeUnit.SECONDS);
        Iterator<String> lines = res.body().iterator();

        // The first event must arrive while the stream is still open (end() not yet called).
        assertEquals("data: {\"n\":1}", assertTimeoutPreemptively(WAIT, lines::next));
        assertEquals("", assertTimeoutPreemptively(WAIT, lines::next));

        script.send("{\"n\":2}");
        script.end();
        List<String> rest = new ArrayList<>();
        lines.forEachRemaining(rest::add);
        assertEquals(List.of("data: {\"n\":2}", "", "data: [DONE]", ""), rest);
    }

    @Test
    void streamScriptQueuesActionsIssuedBeforeTheRequest() throws Exception {
        StreamScript script = new StreamScript();
        script.sendRaw(": keep-alive\n\n");
        script.endWithoutDone();
        up.enqueue(Reply.stream(script));

        HttpResponse<String> res = client.send(get("/x"), HttpResponse.BodyHandlers.ofString());

        assertEquals(": keep-alive\n\n", res.body());
    }

    @Test
    void streamScriptSeesThePeerClosing() throws Exception {
        StreamScript script = new StreamScript();
        up.enqueue(Reply.stream(script));
        try (RawClient raw = new RawClient(up.port(), 0)) {
            raw.send("GET /v1/x HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(script.awaitStarted(WAIT));
            script.send("1");
            raw.readHead();
            assertFalse(script.awaitClosedByPeer(Duration.ofMillis(50)));
        }
        assertTrue(script.awaitClosedByPeer(WAIT));
        assertTrue(up.awaitConnectionClosed(WAIT));
    }

    @Test
    void streamScriptAbortClosesMidStream() throws Exception {
        StreamScript script = new StreamScript();
        up.enqueue(Reply.stream(script));
        try (RawClient raw = new RawClient(up.port(), 0)) {
            raw.send("GET /v1/x HTTP/1.1\r\nHost: x\r\n\r\n");
            raw.readHead();
            script.send("1");
            script.abort();
            IOException e = assertThrows(IOException.class, raw::readChunks);
            assertTrue(e.getMessage().contains("EOF"), e.getMessage());
        }
        assertFalse(script.awaitClosedByPeer(Duration.ofMillis(100)), "our own abort is not the peer");
    }

    @Test
    void hangNeverAnswers() {
        up.enqueue(Reply.hang());
        HttpRequest req =
                post("/chat/completions", "{}").timeout(Duration.ofMillis(300)).build();

        assertThrows(HttpTimeoutException.class, () -> client.send(req, HttpResponse.BodyHandlers.ofString()));
        assertEquals(1, up.requestCount());
    }

    @Test
    void closeImmediatelyFailsTheClient() {
        up.enqueue(Reply.closeImmediately());
        HttpRequest req = post("/chat/completions", "{}").build();

        assertThrows(IOException.class, () -> client.send(req, HttpResponse.BodyHandlers.ofString()));
        assertEquals(1, up.requestCount());
        assertTrue(up.awaitConnectionClosed(WAIT));
    }

    @Test
    void delayedReplyArrivesAfterTheDelay() throws Exception {
        up.enqueue(Reply.delayed(Duration.ofMillis(300), Reply.json(200, "{\"late\":true}")));
        long start = System.nanoTime();

        HttpResponse<String> res = client.send(get("/x"), HttpResponse.BodyHandlers.ofString());

        assertEquals("{\"late\":true}", res.body());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void floodStopsWhenTheClientDoesNotReadAndCompletesWhenItDoes() throws Exception {
        long maxBytes = 32L * 1024 * 1024;
        up.enqueue(Reply.flood(8 * 1024, maxBytes));
        FloodStats flood = up.lastFlood();
        assertNotNull(flood);
        try (RawClient raw = new RawClient(up.port(), 16 * 1024)) {
            raw.send("GET /v1/flood HTTP/1.1\r\nHost: x\r\n\r\n");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (flood.timesNotWritable() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(flood.timesNotWritable() > 0, flood.toString());
            long stalledAt = awaitStable(flood);
            assertFalse(flood.isComplete());
            assertTrue(stalledAt < maxBytes / 4, "writer is bounded by back-pressure: " + flood);

            String head = raw.readHead();
            assertTrue(head.contains("text/event-stream"), head);
            long received = raw.drainChunkedBody();
            assertTrue(flood.awaitComplete(WAIT), flood.toString());
            assertEquals(flood.bytesWritten(), received);
            assertTrue(received >= maxBytes, flood.toString());
        }
    }

    @Test
    void tlsServerIsReachableWithTrustedFixtureCert() throws Exception {
        try (TestUpstream tls = TestUpstream.startTls(TlsFixtures.serverContext())) {
            tls.enqueue(Reply.json(200, "{\"tls\":true}"));
            assertTrue(tls.baseUrl().startsWith("https://127.0.0.1:"));
            HttpClient tlsClient = tlsClient(TlsFixtures.clientContextTrusting(TlsFixtures.serverCert()));

            HttpResponse<String> res = tlsClient.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + tls.port() + "/v1/models"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, res.statusCode());
            assertEquals("{\"tls\":true}", res.body());
            assertEquals("/v1/models", tls.takeRequest(WAIT).uri());
        }
    }

    @Test
    void tlsServerWithOtherCertIsNotTrusted() throws Exception {
        try (TestUpstream tls = TestUpstream.startTls(TlsFixtures.otherServerContext())) {
            HttpClient tlsClient = tlsClient(TlsFixtures.clientContextTrusting(TlsFixtures.serverCert()));
            HttpRequest req = HttpRequest.newBuilder(URI.create("https://localhost:" + tls.port() + "/v1/models"))
                    .build();

            assertThrows(SSLHandshakeException.class, () -> tlsClient.send(req, HttpResponse.BodyHandlers.ofString()));
            assertEquals(0, tls.requestCount());
        }
    }

    // --- helpers ---

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(up.baseUrl() + path)).build();
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(up.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpClient tlsClient(SSLContext ssl) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Waits until bytesWritten has not moved for 300 ms and returns it. */
    private static long awaitStable(FloodStats flood) throws InterruptedException {
        long previous = -1;
        long now = flood.bytesWritten();
        while (now != previous) {
            previous = now;
            Thread.sleep(300);
            now = flood.bytesWritten();
        }
        return now;
    }

    /** A bare HTTP/1.1 client over a Socket, for what java.net.http cannot do or hides. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        /** @param receiveBuffer SO_RCVBUF to set before connecting (small = back-pressure sooner), 0 = default */
        RawClient(int port, int receiveBuffer) throws IOException {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setSoTimeout(20_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }

        void send(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Status line and headers, up to and excluding the blank line. */
        String readHead() throws IOException {
            StringBuilder head = new StringBuilder();
            for (String line = readLine(); !line.isEmpty(); line = readLine()) {
                head.append(line).append('\n');
            }
            return head.toString();
        }

        /** Reads a chunked body to its end, returning each chunk's data as a string. */
        List<String> readChunks() throws IOException {
            List<String> chunks = new ArrayList<>();
            for (int size = readChunkSize(); size > 0; size = readChunkSize()) {
                chunks.add(new String(readN(size), StandardCharsets.UTF_8));
                readLine();
            }
            readLine(); // the empty trailer section
            return chunks;
        }

        /** Reads a chunked body to its end without keeping it; returns the body length. */
        long drainChunkedBody() throws IOException {
            long total = 0;
            for (int size = readChunkSize(); size > 0; size = readChunkSize()) {
                readN(size);
                readLine();
                total += size;
            }
            readLine();
            return total;
        }

        byte[] readN(int n) throws IOException {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new IOException("EOF after " + bytes.length + " of " + n + " bytes");
            }
            return bytes;
        }

        private int readChunkSize() throws IOException {
            return Integer.parseInt(readLine().trim(), 16);
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b == -1) {
                    throw new IOException("EOF in line: " + line);
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
