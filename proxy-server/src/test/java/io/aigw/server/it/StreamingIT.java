package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.FloodStats;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The streaming relay: chunk by chunk, usage handling, backpressure and client disconnects. */
class StreamingIT {
    static TestUpstream upstream;
    static ProxyHarness proxy;

    static final String CHUNK1 = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}";
    static final String CHUNK2 = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}";
    static final String USAGE = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        proxy = ProxyHarness.start(upstream.baseUrl(), null, "gpt-4o-mini", "up-model");
    }

    @BeforeEach
    void forgetEarlierRequests() {
        while (upstream.takeRequest(Duration.ZERO) != null) {
            // each test looks only at the requests it caused
        }
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
    }

    private static HttpResponse<java.io.InputStream> openStream(String body) throws Exception {
        return proxy.http()
                .send(
                        HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
    }

    private static List<String> dataLines(String sse) {
        List<String> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ")) {
                out.add(line.substring(6));
            }
        }
        return out;
    }

    @Test
    void usageIsRequestedUpstreamAndItsChunkHiddenWhenTheClientDidNotAsk() throws Exception {
        upstream.enqueue(Reply.sse(List.of(CHUNK1, CHUNK2, USAGE)));
        HttpResponse<String> r = proxy.post(
                "/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertEquals(List.of(CHUNK1, CHUNK2, "[DONE]"), dataLines(r.body()));
        assertEquals(
                "{\"model\":\"up-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stream_options\":{\"include_usage\":true}}",
                upstream.takeRequest(Duration.ofSeconds(5)).bodyUtf8());
    }

    @Test
    void usageChunkReachesAClientThatAskedForIt() throws Exception {
        upstream.enqueue(Reply.sse(List.of(CHUNK1, CHUNK2, USAGE)));
        String body =
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{}]}";
        HttpResponse<String> r = proxy.post("/v1/chat/completions", body);
        assertEquals(List.of(CHUNK1, CHUNK2, USAGE, "[DONE]"), dataLines(r.body()));
        assertEquals(
                body.replace("gpt-4o-mini", "up-model"),
                upstream.takeRequest(Duration.ofSeconds(5)).bodyUtf8());
    }

    @Test
    void chunksReachTheClientAsUpstreamSendsThem() throws Exception {
        StreamScript script = new StreamScript();
        upstream.enqueue(Reply.stream(script));
        HttpResponse<java.io.InputStream> r =
                openStream("{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{}]}");
        assertEquals(200, r.statusCode());
        script.send(CHUNK1);
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        // Upstream holds after the first chunk: the client must already have it.
        assertEquals("data: " + CHUNK1, reader.readLine());
        assertEquals("", reader.readLine());
        script.send(CHUNK2);
        assertEquals("data: " + CHUNK2, reader.readLine());
        assertEquals("", reader.readLine());
        script.send(USAGE);
        script.end();
        assertEquals("data: [DONE]", reader.readLine());
        reader.close();
    }

    @Test
    void aSlowReaderPausesUpstreamReadingInsteadOfBuffering() throws Exception {
        long max = 48L * 1024 * 1024;
        upstream.enqueue(Reply.flood(16 * 1024, max));
        try (RawHttp raw = new RawHttp(proxy.port(), 16 * 1024)) {
            raw.post(
                    "/v1/chat/completions",
                    ProxyHarness.KEY,
                    "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{}]}"
                            .getBytes(StandardCharsets.US_ASCII));
            FloodStats flood = waitForFlood();
            long stalled = waitUntilStable(flood);
            assertFalse(flood.isComplete(), "upstream must not be drained into the proxy's memory");
            assertTrue(stalled < max / 4, "upstream kept writing: " + stalled + " bytes");
            assertTrue(flood.timesNotWritable() > 0, "upstream saw backpressure");

            // Now read everything: nothing may be lost.
            raw.socket.setSoTimeout(30_000);
            assertEquals(200, raw.readHead());
            BufferedReader body = new BufferedReader(new InputStreamReader(raw.chunkedBody(), StandardCharsets.UTF_8));
            long dataBytes = 0;
            boolean done = false;
            String line;
            while ((line = body.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    if (line.equals("data: [DONE]")) {
                        done = true;
                        break;
                    }
                    dataBytes += line.length() + 2;
                }
            }
            assertTrue(done);
            assertTrue(flood.awaitComplete(Duration.ofSeconds(30)));
            assertEquals(flood.bytesWritten() - "data: [DONE]\n\n".length(), dataBytes);
        }
    }

    @Test
    void aClientLeavingMidStreamClosesTheUpstreamConnection() throws Exception {
        StreamScript script = new StreamScript();
        upstream.enqueue(Reply.stream(script));
        try (RawHttp raw = new RawHttp(proxy.port())) {
            raw.post(
                    "/v1/chat/completions",
                    ProxyHarness.KEY,
                    "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{}]}"
                            .getBytes(StandardCharsets.US_ASCII));
            script.send(CHUNK1);
            assertEquals(200, raw.readHead());
            BufferedReader body = new BufferedReader(new InputStreamReader(raw.chunkedBody(), StandardCharsets.UTF_8));
            assertEquals("data: " + CHUNK1, body.readLine());
        }
        assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(1)), "upstream connection closed within a second");
    }

    @Test
    void anUpstreamDyingMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        StreamScript script = new StreamScript();
        upstream.enqueue(Reply.stream(script));
        HttpResponse<java.io.InputStream> r =
                openStream("{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{}]}");
        script.send(CHUNK1);
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertEquals("data: " + CHUNK1, reader.readLine());
        assertEquals("", reader.readLine());
        script.abort();
        String error = reader.readLine();
        assertTrue(error.startsWith("data: {\"error\":"), error);
        ErrorShape.assertError(error.substring(6), "api_error", "upstream_connection_closed", null);
        assertEquals("", reader.readLine());
        assertEquals(null, reader.readLine());
    }

    private static FloodStats waitForFlood() throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            FloodStats f = upstream.lastFlood();
            if (f != null && f.bytesWritten() > 0) {
                return f;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("flood never started");
    }

    /** Waits until upstream has written nothing more for half a second; returns bytes written by then. */
    private static long waitUntilStable(FloodStats flood) throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 100; i++) {
            long now = flood.bytesWritten();
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(300);
        }
        return last;
    }
}
