package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigException;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Edge cases of connection handling found in review, each through the real server. */
class ConnectionEdgeCasesIT {
    static final String STREAM_CHAT = "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}";

    /**
     * A client that reads slowly makes the relay stop reading upstream; the upstream idle timer keeps
     * running meanwhile, so the provider is blamed (upstream_timeout) for the client's slowness.
     */
    @Test
    void aSlowClientDoesNotTripTheUpstreamIdleTimeout() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(up.baseUrl(), "    idle_timeout_ms: 500\n", "m", "m")) {
            up.enqueue(Reply.flood(16 * 1024, 8L * 1024 * 1024));
            try (RawHttp raw = new RawHttp(proxy.port(), 16 * 1024)) {
                raw.post("/v1/chat/completions", ProxyHarness.KEY, STREAM_CHAT.getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(2000); // the client is busy; the provider is not
                raw.socket.setSoTimeout(30_000);
                assertEquals(200, raw.readHead());
                BufferedReader body =
                        new BufferedReader(new InputStreamReader(raw.chunkedBody(), StandardCharsets.UTF_8));
                String line;
                String error = null;
                boolean done = false;
                while ((line = body.readLine()) != null) {
                    if (line.equals("data: [DONE]")) {
                        done = true;
                        break;
                    }
                    if (line.startsWith("data: {\"error\"")) {
                        error = line;
                        break;
                    }
                }
                assertEquals(null, error, "the stream was cut by the upstream idle timer");
                assertTrue(done);
            }
        }
    }

    /**
     * HttpObjectAggregator answers Expect: 100-continue with a FullHttpResponse (a LastHttpContent),
     * which RequestReadTimeoutHandler counts as a finished response: the connection then looks idle
     * while the real (streamed) response is still going and is closed after server.idle_timeout.
     */
    @Test
    void expectContinueDoesNotMakeALongStreamLookIdle() throws Exception {
        String yaml = """
                server: {host: 127.0.0.1, port: 0, idle_timeout_ms: 500}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m:
                    providers:
                      mock: {model_id: m}
                """;
        try (TestUpstream up = TestUpstream.start()) {
            try (ProxyHarness proxy = ProxyHarness.startYaml(yaml.formatted(ProxyHarness.KEY, up.baseUrl()))) {
                StreamScript script = new StreamScript();
                up.enqueue(Reply.stream(script));
                byte[] body = STREAM_CHAT.getBytes(StandardCharsets.US_ASCII);
                try (RawHttp raw = new RawHttp(proxy.port())) {
                    raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nExpect: 100-continue\r\n"
                            + "Content-Length: " + body.length + "\r\n\r\n");
                    assertEquals(100, raw.readHead());
                    raw.write(body);
                    script.send("{\"choices\":[]}");
                    assertEquals(200, raw.readHead());
                    BufferedReader r =
                            new BufferedReader(new InputStreamReader(raw.chunkedBody(), StandardCharsets.UTF_8));
                    assertEquals("data: {\"choices\":[]}", r.readLine());
                    assertEquals("", r.readLine());
                    Thread.sleep(1500); // a slow token, longer than the keep-alive idle timeout
                    script.send("{\"choices\":[{}]}");
                    script.end();
                    assertEquals("data: {\"choices\":[{}]}", r.readLine(), "client connection closed mid-stream");
                }
            }
        }
    }

    /**
     * A provider key with a line break (a common slip with env files and mounted secrets) cannot be
     * sent as a header; it must stop start-up with the key named, not fail every request later.
     */
    @Test
    void aProviderKeyWithALineBreakStopsStartUp() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "http://127.0.0.1:9/v1", api_key: "sk-abc\\n"}
                models:
                  m:
                    providers:
                      mock: {model_id: m}
                """.formatted(ProxyHarness.KEY)));
        assertEquals("providers.mock.api_key: value contains a line break", e.getMessage());
    }

    /** An oversized request with Expect: 100-continue gets Netty's own empty 413, not the OpenAI one. */
    @Test
    void oversizedExpectContinueGetsAnOpenAiShaped413() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0, max_body_bytes: 4096, request_read_timeout_ms: 400}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m:
                    providers:
                      mock: {model_id: m}
                """.formatted(ProxyHarness.KEY, up.baseUrl()));
                RawHttp raw = new RawHttp(proxy.port())) {
            raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 100000\r\n\r\n");
            RawHttp.Response r = raw.readResponse();
            assertEquals(413, r.status());
            assertTrue(r.hasHeader("x-request-id:"), "413 without a request id: " + r.headers());
            ErrorShape.assertError(r.body(), "invalid_request_error", "request_too_large", null);
            // The exchange is over: nothing else may arrive (today an unsolicited 408 follows).
            Thread.sleep(1000);
            raw.socket.setSoTimeout(500);
            try {
                assertEquals(-1, raw.in().read(), "unsolicited bytes after the 413");
            } catch (java.net.SocketTimeoutException expected) {
                // connection kept open and quiet: fine
            }
        }
    }

    /** Config accepts max_pending_acquires: 0, FixedChannelPool rejects it: every call is a 500. */
    @Test
    void zeroMaxPendingAcquiresIsRejectedAtLoadOrWorks() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(up.baseUrl(), "    max_pending_acquires: 0\n", "m", "m")) {
            up.enqueue(Reply.json(200, "{}"));
            var r = proxy.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{}]}");
            assertEquals(200, r.statusCode(), r.body());
        } catch (io.aigw.core.config.ConfigException rejectedAtLoad) {
            // also a fix
        }
    }
}
