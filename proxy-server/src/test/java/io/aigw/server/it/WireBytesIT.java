package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bytes of the answer heads a client reads, through the real server over a socket: the status
 * line and every header, in order and case. They pin what the write path must keep sending however
 * it renders them.
 */
class WireBytesIT {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM =
            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    static TestUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  m:
                    providers:
                      mock: {model_id: m-up}
                """.formatted(ProxyHarness.KEY, upstream.baseUrl()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
    }

    @Test
    void plainAnswerHeadAndBody() throws Exception {
        String body = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[]}";
        upstream.enqueue(Reply.json(200, body, Map.of("x-request-id", "up-1")));
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.write(request(CHAT, "req-wire-1"));
            assertEquals(
                    "HTTP/1.1 200 OK\r\n"
                            + "content-type: application/json\r\n"
                            + "content-length: " + body.length() + "\r\n"
                            + "x-upstream-request-id: up-1\r\n"
                            + "x-proxy-provider: mock\r\n"
                            + "x-proxy-model: m-up\r\n"
                            + "x-proxy-attempts: 1\r\n"
                            + "x-request-id: req-wire-1\r\n"
                            + "\r\n",
                    head(c));
            assertEquals(body, new String(c.in().readNBytes(body.length()), StandardCharsets.UTF_8));
        }
    }

    @Test
    void streamedAnswerHeadAndBody() throws Exception {
        String first = "{\"id\":\"c2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"he\"}}]}";
        String second = "{\"id\":\"c2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"llo\"}}]}";
        upstream.enqueue(Reply.sse(List.of(first, second)));
        try (RawHttp c = new RawHttp(proxy.port())) {
            c.write(request(STREAM, "req-wire-2"));
            assertEquals(
                    "HTTP/1.1 200 OK\r\n"
                            + "content-type: text/event-stream\r\n"
                            + "cache-control: no-cache\r\n"
                            + "transfer-encoding: chunked\r\n"
                            + "x-proxy-provider: mock\r\n"
                            + "x-proxy-model: m-up\r\n"
                            + "x-proxy-attempts: 1\r\n"
                            + "x-request-id: req-wire-2\r\n"
                            + "\r\n",
                    head(c));
            String expected = "data: " + first + "\n\ndata: " + second + "\n\ndata: [DONE]\n\n";
            assertEquals(
                    expected, new String(c.chunkedBody().readNBytes(expected.length() + 1), StandardCharsets.UTF_8));
        }
    }

    private static String request(String json, String requestId) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + ProxyHarness.KEY + "\r\nx-request-id: " + requestId + "\r\n"
                + "Content-Length: " + json.length() + "\r\n\r\n" + json;
    }

    /** The head as sent, up to and including its empty line. */
    private static String head(RawHttp c) throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        do {
            line = c.readLine();
            head.append(line).append("\r\n");
        } while (line != null && !line.isEmpty());
        return head.toString();
    }
}
