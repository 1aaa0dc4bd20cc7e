package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Transport failures and timeouts of the provider, each with its status and OpenAI-shaped body. */
class UpstreamFailuresIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String STREAM_CHAT =
            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    @Test
    void refusedConnectionIs502() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (ProxyHarness proxy = ProxyHarness.start("http://127.0.0.1:" + closedPort + "/v1", null, "m", "m")) {
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(502, r.statusCode());
            assertError(r.body(), "api_error", "upstream_connect_error", null);
            assertTrue(r.body().contains("provider 'mock'"), r.body());
            assertTrue(!r.body().contains(String.valueOf(closedPort)), "no upstream address in the message");
        }
    }

    @Test
    void resetBeforeAnswerIs502() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(up.baseUrl(), null, "m", "m")) {
            up.enqueue(Reply.closeImmediately());
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(502, r.statusCode());
            assertEquals(
                    "api_error",
                    ErrorShape.json(r.body()).get("error").get("type").asText());
            assertEquals(1, up.requestCount());
        }
    }

    @Test
    void firstByteTimeoutIs504() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(up.baseUrl(), "    first_byte_timeout_ms: 300\n", "m", "m")) {
            up.enqueue(Reply.hang());
            long start = System.nanoTime();
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(504, r.statusCode());
            assertError(r.body(), "api_error", "upstream_timeout", null);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
            assertTrue(up.awaitConnectionClosed(Duration.ofSeconds(2)), "the stuck connection is dropped");
        }
    }

    @Test
    void idleTimeoutMidStreamEndsWithAnErrorEvent() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(up.baseUrl(), "    idle_timeout_ms: 300\n", "m", "m")) {
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            script.send("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}");
            HttpResponse<java.io.InputStream> r = proxy.http()
                    .send(
                            HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                                    .header("Authorization", "Bearer " + ProxyHarness.KEY)
                                    .POST(HttpRequest.BodyPublishers.ofString(STREAM_CHAT))
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            assertTrue(reader.readLine().startsWith("data: {\"choices\""));
            assertEquals("", reader.readLine());
            String error = reader.readLine();
            assertError(error.substring("data: ".length()), "api_error", "upstream_timeout", null);
            assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(2)));
        }
    }

    @Test
    void totalTimeoutIs504() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(
                        up.baseUrl(), "    total_timeout_ms: 400\n    first_byte_timeout_ms: 10000\n", "m", "m")) {
            up.enqueue(Reply.delayed(Duration.ofSeconds(3), Reply.json(200, "{}")));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(504, r.statusCode());
            assertError(r.body(), "api_error", "upstream_timeout", null);
        }
    }

    @Test
    void aRequestAlreadyWrittenIsNeverSentTwiceEvenOnAReusedConnection() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(up.baseUrl(), null, "m", "m")) {
            up.enqueue(Reply.json(200, "{\"n\":1}"));
            up.enqueue(Reply.closeImmediately());
            up.enqueue(Reply.json(200, "{\"n\":2}"));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post("/v1/chat/completions", ProxyHarness.KEY, CHAT.getBytes(StandardCharsets.US_ASCII));
                assertEquals("{\"n\":1}", raw.readResponse().body());
                // The provider read this one, then reset: it may have started work, so no resend.
                raw.post("/v1/chat/completions", ProxyHarness.KEY, CHAT.getBytes(StandardCharsets.US_ASCII));
                RawHttp.Response second = raw.readResponse();
                assertEquals(502, second.status());
                assertEquals(
                        "api_error",
                        ErrorShape.json(second.body()).get("error").get("type").asText());
                raw.post("/v1/chat/completions", ProxyHarness.KEY, CHAT.getBytes(StandardCharsets.US_ASCII));
                assertEquals("{\"n\":2}", raw.readResponse().body());
            }
            assertEquals(3, up.requestCount(), "each request reached the provider exactly once");
            assertEquals(2, up.connectionsOpened(), "the reset connection was not reused");
        }
    }

    @Test
    void anOversizedUpstreamResponseIs502() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(up.baseUrl(), "    max_response_bytes: 2048\n", "m", "m")) {
            up.enqueue(Reply.json(200, "{\"x\":\"" + "a".repeat(4096) + "\"}"));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(502, r.statusCode());
            assertError(r.body(), "api_error", "upstream_response_too_large", null);
        }
    }
}
