package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.TestUpstream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slowloris and connection caps (issue 14 point 5), through the real server. */
class ConnectionLimitsIT {
    private static String yaml(String serverExtra, String baseUrl) {
        return """
                server: {host: 127.0.0.1, port: 0%s}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m:
                    providers:
                      mock: {model_id: m}
                """.formatted(serverExtra, ProxyHarness.KEY, baseUrl);
    }

    /**
     * The read timeout used to start at the decoded request head, so a head trickled a byte at a
     * time was bounded only by the idle timeout (120 s by default).
     */
    @Test
    void aTrickledRequestHeadIsCutAfterTheReadTimeout() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(
                        yaml(", request_read_timeout_ms: 500, idle_timeout_ms: 60000", up.baseUrl()));
                RawHttp raw = new RawHttp(proxy.port())) {
            String head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n";
            long started = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < head.length() - 4 && System.nanoTime() - started < 5_000_000_000L; i++) {
                try {
                    raw.write(head.substring(i, i + 1));
                } catch (IOException e) {
                    cut = true;
                    break;
                }
                if (raw.in().available() > 0) {
                    break;
                }
                Thread.sleep(100);
            }
            raw.socket.setSoTimeout(3000);
            if (!cut) {
                RawHttp.Response r = raw.readResponse();
                assertEquals(408, r.status(), r.toString());
                assertTrue(r.hasHeader("x-request-id:"), r.headers());
                ErrorShape.assertError(r.body(), "invalid_request_error", "request_timeout", null);
                assertTrue(raw.closedByServer(), "the connection is closed after the 408");
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMs < 4000, "the trickled head was cut only after " + tookMs + " ms");
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsGetA503AndTheCapFreesUpAgain() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(", max_connections: 5", up.baseUrl()))) {
            List<RawHttp> open = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    RawHttp c = new RawHttp(proxy.port());
                    open.add(c);
                    c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, c.readResponse().status(), "connection " + i + " is within the cap");
                }
                assertRefused(proxy.port());
                assertRefused(proxy.port()); // a refused one is never counted in the open ones
            } finally {
                for (RawHttp c : open) {
                    c.close();
                }
            }
            assertHealthyWithinSeconds(proxy.port());
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsPerIpGetA503() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(", max_connections_per_ip: 2", up.baseUrl()))) {
            try (RawHttp a = new RawHttp(proxy.port());
                    RawHttp b = new RawHttp(proxy.port())) {
                for (RawHttp c : List.of(a, b)) {
                    c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, c.readResponse().status());
                }
                assertRefused(proxy.port());
            }
            assertHealthyWithinSeconds(proxy.port());
        }
    }

    /** The client sends its request at once, as HTTP clients do; it must still read the 503, not a reset. */
    private static void assertRefused(int port) throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.socket.setSoTimeout(3000);
            c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.readResponse();
            assertEquals(503, r.status(), r.toString());
            assertTrue(r.hasHeader("connection: close"), r.headers());
            assertTrue(r.hasHeader("x-request-id:"), r.headers());
            ErrorShape.assertError(r.body(), "api_error", "too_many_connections", null);
            assertTrue(c.closedByServer(), "a refused connection is closed");
        }
    }

    /** Closed connections leave the count once the server has seen them close: retried briefly. */
    private static void assertHealthyWithinSeconds(int port) throws Exception {
        long deadline = System.nanoTime() + 3_000_000_000L;
        int status = -1;
        while (System.nanoTime() < deadline) {
            try (RawHttp c = new RawHttp(port)) {
                c.socket.setSoTimeout(3000);
                c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                status = c.readResponse().status();
            }
            if (status == 200) {
                return;
            }
            Thread.sleep(50);
        }
        assertEquals(200, status, "a normal request works again after the others closed");
    }
}
