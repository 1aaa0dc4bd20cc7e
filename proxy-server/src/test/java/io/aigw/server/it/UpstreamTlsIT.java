package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import io.aigw.server.testing.TlsFixtures;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** HTTPS to a provider: trusted through the configured CA file, refused (502) when not trusted. */
class UpstreamTlsIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    @Test
    void aSelfSignedProviderTrustedByConfigWorks() throws Exception {
        try (TestUpstream up = TestUpstream.startTls(TlsFixtures.serverContext());
                ProxyHarness proxy = ProxyHarness.start(
                        "https://localhost:" + up.port() + "/v1",
                        "    tls: {ca_file: \"" + TlsFixtures.serverCert().toAbsolutePath() + "\"}\n",
                        "m",
                        "m")) {
            up.enqueue(Reply.json(200, "{\"ok\":true}"));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{\"ok\":true}", r.body());
            assertEquals(
                    "localhost:" + up.port(),
                    up.takeRequest(java.time.Duration.ofSeconds(5)).header("host"));
        }
    }

    @Test
    void anUntrustedCertificateIs502() throws Exception {
        try (TestUpstream up = TestUpstream.startTls(TlsFixtures.serverContext());
                ProxyHarness proxy = ProxyHarness.start("https://localhost:" + up.port() + "/v1", null, "m", "m")) {
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(502, r.statusCode());
            assertError(r.body(), "api_error", "upstream_tls_error", null);
            assertEquals(0, up.requestCount());
        }
    }

    @Test
    void aCertificateFromAnotherIssuerIsRefusedEvenWithACaFile() throws Exception {
        try (TestUpstream up = TestUpstream.startTls(TlsFixtures.otherServerContext());
                ProxyHarness proxy = ProxyHarness.start(
                        "https://localhost:" + up.port() + "/v1",
                        "    tls: {ca_file: \"" + TlsFixtures.serverCert().toAbsolutePath() + "\"}\n",
                        "m",
                        "m")) {
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertEquals(502, r.statusCode());
            assertError(r.body(), "api_error", "upstream_tls_error", null);
        }
    }
}
