package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** HTTP edge cases of issue 14 point 11 (Host, Expect), through the real server. */
class ProtocolEdgesIT {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static String yaml(String baseUrl) {
        return """
                server: {host: 127.0.0.1, port: 0, request_read_timeout_ms: 2000}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m:
                    providers:
                      mock: {model_id: m}
                """.formatted(ProxyHarness.KEY, baseUrl);
    }

    @Test
    void http11WithoutHostIs400MissingHost() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(up.baseUrl()));
                RawHttp raw = new RawHttp(proxy.port())) {
            byte[] body = CHAT.getBytes(StandardCharsets.US_ASCII);
            raw.write("POST /v1/chat/completions HTTP/1.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nContent-Length: " + body.length + "\r\n\r\n"
                    + CHAT);
            RawHttp.Response r = raw.readResponse();
            assertEquals(400, r.status(), r.toString());
            assertTrue(r.hasHeader("x-request-id:"), r.headers());
            ErrorShape.assertError(r.body(), "invalid_request_error", "missing_host", null);
            assertEquals(0, up.requestCount(), "the request never reached the provider");
        }
    }

    @Test
    void expectContinueWithABadKeyGets401AndNo100() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(up.baseUrl()));
                RawHttp raw = new RawHttp(proxy.port())) {
            raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer sk-wrong-key-000000\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + CHAT.length() + "\r\n\r\n");
            RawHttp.Response r = raw.readResponse();
            assertEquals(401, r.status(), "the key is checked before a 100 Continue: " + r);
            assertTrue(r.hasHeader("x-request-id:"), r.headers());
            ErrorShape.assertError(r.body(), "invalid_request_error", "invalid_api_key", null);
            assertTrue(r.hasHeader("connection: close"), r.headers());
            // Whether the client sends the body anyway or not, nothing more is read: the connection closes.
            assertTrue(raw.closedByServer(), "the connection is closed after a refused expectation");
            assertEquals(0, up.requestCount());
        }
    }

    /** Under /admin/ it is the admin key that must be good: a client key gets the 401, not a 100. */
    @Test
    void expectContinueOnTheAdminApiWantsTheAdminKey() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(up.baseUrl())
                        .replace(
                                "auth: {api_keys: [\"" + ProxyHarness.KEY + "\"]}",
                                "auth: {api_keys: [\"" + ProxyHarness.KEY + "\"], admin_keys: [\""
                                        + ProxyHarness.ADMIN_KEY + "\"]}"));
                RawHttp raw = new RawHttp(proxy.port())) {
            raw.write("POST /admin/providers/mock/disable HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 2\r\n\r\n");
            RawHttp.Response r = raw.readResponse();
            assertEquals(401, r.status(), r.toString());
            ErrorShape.assertError(r.body(), "invalid_request_error", "invalid_api_key", null);
        }
    }

    @Test
    void expectContinueWithAGoodKeyGets100ThenTheAnswer() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(up.baseUrl()));
                RawHttp raw = new RawHttp(proxy.port())) {
            up.enqueue(Reply.json(200, "{\"choices\":[]}"));
            raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + CHAT.length() + "\r\n\r\n");
            assertEquals(100, raw.readHead());
            raw.write(CHAT);
            RawHttp.Response r = raw.readResponse();
            assertEquals(200, r.status(), r.toString());
        }
    }

    @Test
    void anUnsupportedExpectationGets417InOpenAiShape() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(up.baseUrl()));
                RawHttp raw = new RawHttp(proxy.port())) {
            raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nExpect: something-else\r\n"
                    + "Content-Length: " + CHAT.length() + "\r\n\r\n");
            RawHttp.Response r = raw.readResponse();
            assertEquals(417, r.status(), r.toString());
            assertTrue(r.hasHeader("x-request-id:"), r.headers());
            assertFalse(r.body().isEmpty(), "a 417 without a body");
            ErrorShape.assertError(r.body(), "invalid_request_error", "expectation_failed", null);
            assertEquals(0, up.requestCount());
        }
    }
}
