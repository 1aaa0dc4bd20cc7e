package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.it.ProxyHarness;
import io.aigw.server.it.RawHttp;
import io.aigw.server.testing.TestUpstream;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code server.reuse_port: true}: one SO_REUSEPORT listening socket per event loop (epoll; one
 * socket elsewhere), through the real server. The caps count over all sockets, and a stop closes
 * every one of them.
 */
class ReusePortIT {
    private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

    private static String yaml(String serverExtra, String baseUrl) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 2%s}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s"}
                models:
                  m:
                    providers:
                      mock: {model_id: m}
                """.formatted(serverExtra, ProxyHarness.KEY, baseUrl);
    }

    private static int expectedSockets() {
        return Epoll.isAvailable() && !"nio".equalsIgnoreCase(System.getProperty("aigw.transport")) ? 2 : 1;
    }

    @Test
    void oneSocketPerLoopAndEveryConnectionIsServed() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml(yaml(", reuse_port: true", up.baseUrl()))) {
            assertEquals(expectedSockets(), proxy.server().listeningSockets());
            for (int i = 0; i < 20; i++) {
                try (RawHttp c = new RawHttp(proxy.port())) {
                    c.socket.setSoTimeout(3000);
                    c.write(HEALTH);
                    assertEquals(200, c.readResponse().status(), "connection " + i);
                }
            }
        }
    }

    @Test
    void autoAndFalseKeepOneAcceptor() throws Exception {
        for (String setting : List.of("", ", reuse_port: auto", ", reuse_port: false")) {
            try (TestUpstream up = TestUpstream.start();
                    ProxyHarness proxy = ProxyHarness.startYaml(yaml(setting, up.baseUrl()))) {
                assertEquals(1, proxy.server().listeningSockets(), setting);
            }
        }
    }

    @Test
    void maxConnectionsCountsOverEverySocket() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml(yaml(", reuse_port: true, max_connections: 5", up.baseUrl()))) {
            List<RawHttp> open = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    RawHttp c = new RawHttp(proxy.port());
                    open.add(c);
                    c.write(HEALTH);
                    assertEquals(200, c.readResponse().status(), "connection " + i + " is within the cap");
                }
                // Several, so that the kernel's spreading lands some on each socket.
                for (int i = 0; i < 6; i++) {
                    assertEquals(503, statusOfANewConnection(proxy.port()), "connection " + (5 + i));
                }
            } finally {
                for (RawHttp c : open) {
                    c.close();
                }
            }
        }
    }

    @Test
    void maxConnectionsPerIpCountsOverEverySocket() throws Exception {
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy =
                        ProxyHarness.startYaml(yaml(", reuse_port: true, max_connections_per_ip: 2", up.baseUrl()));
                RawHttp a = new RawHttp(proxy.port());
                RawHttp b = new RawHttp(proxy.port())) {
            for (RawHttp c : List.of(a, b)) {
                c.write(HEALTH);
                assertEquals(200, c.readResponse().status());
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(503, statusOfANewConnection(proxy.port()), "connection " + (2 + i));
            }
        }
    }

    @Test
    void aStopClosesEverySocket() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            ProxyHarness proxy = ProxyHarness.startYaml(yaml(", reuse_port: true", up.baseUrl()));
            int port = proxy.port();
            assertEquals(200, statusOfANewConnection(port));
            proxy.close();
            for (int i = 0; i < 10; i++) {
                assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close(), "attempt " + i);
            }
        }
    }

    private static int statusOfANewConnection(int port) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            c.socket.setSoTimeout(3000);
            c.write(HEALTH);
            RawHttp.Response r = c.readResponse();
            assertTrue(r.hasHeader("x-request-id:"), r.headers());
            return r.status();
        }
    }
}
