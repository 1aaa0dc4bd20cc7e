package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Non-streamed forwarding: what goes upstream, byte for byte, and what comes back. */
class ForwardingIT {
    static TestUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  mock:
                    type: openai
                    base_url: "%s"
                    api_key: sk-provider-secret
                    headers: {HTTP-Referer: "https://example.test/app", X-Title: "Example App"}
                models:
                  gpt-4o-mini:
                    retries: {count: 0}   # these tests see each provider error as it is
                    providers:
                      mock: {model_id: "provider/model-v2"}
                  text-embedding-3-small:
                    providers:
                      mock: {model_id: emb-up}
                  gpt-3.5-turbo-instruct:
                    providers:
                      mock: {model_id: instruct-up}
                  "router/*":
                    providers:
                      mock: {}
                """.formatted(ProxyHarness.KEY, upstream.baseUrl()));
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

    @Test
    void modelIsRewrittenAndEveryOtherByteKept() throws Exception {
        String sent = "{ \"temperature\" : 0.70, \"model\":\"gpt-4o-mini\",\n"
                + "  \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\\"q\\\" \u00fc\",\"model\":\"gpt-4o-mini\"}],"
                + "\"max_tokens\":1e3, \"metadata\":{\"a\":[1,2.50,{}]} }";
        upstream.enqueue(Reply.json(200, "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}"));
        HttpResponse<String> r = proxy.post("/v1/chat/completions", sent);
        assertEquals(200, r.statusCode());
        RecordedRequest got = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("POST", got.method());
        assertEquals("/v1/chat/completions", got.uri());
        String expected = sent.replaceFirst("\"model\":\"gpt-4o-mini\"", "\"model\":\"provider/model-v2\"");
        assertEquals(expected, got.bodyUtf8());
    }

    @Test
    void providerKeyAndHeadersGoUpstreamButNotTheClientKey() throws Exception {
        upstream.enqueue(Reply.json(200, "{}"));
        proxy.post(
                "/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        RecordedRequest got = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("Bearer sk-provider-secret", got.header("authorization"));
        assertEquals("https://example.test/app", got.header("http-referer"));
        assertEquals("Example App", got.header("x-title"));
        assertTrue(!got.headers().toString().contains(ProxyHarness.KEY), "client key must not go upstream");
        assertNotNull(got.header("x-request-id"));
    }

    @Test
    void responseComesBackWithRequestIdAndRouteHeaders() throws Exception {
        String answer = "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"choices\":[]}";
        upstream.enqueue(Reply.json(
                200,
                answer,
                Map.of(
                        "x-ratelimit-remaining-requests",
                        "99",
                        "x-request-id",
                        "req_upstream",
                        "set-cookie",
                        "secret=1")));
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("x-request-id", "my-trace-123")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[{}]}"))
                .build());
        assertEquals(answer, r.body());
        assertEquals("my-trace-123", r.headers().firstValue("x-request-id").orElse(null));
        assertEquals("my-trace-123", upstream.takeRequest(Duration.ofSeconds(5)).header("x-request-id"));
        assertEquals(
                "99", r.headers().firstValue("x-ratelimit-remaining-requests").orElse(null));
        assertEquals(
                "req_upstream", r.headers().firstValue("x-upstream-request-id").orElse(null));
        assertEquals("mock", r.headers().firstValue("x-proxy-provider").orElse(null));
        assertEquals(
                "provider/model-v2", r.headers().firstValue("x-proxy-model").orElse(null));
        assertNull(r.headers().firstValue("set-cookie").orElse(null));
    }

    @Test
    void aGeneratedRequestIdIsReturnedOnEveryResponse() throws Exception {
        HttpResponse<String> health = proxy.send(
                HttpRequest.newBuilder(URI.create(proxy.url("/health"))).build());
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\"}", health.body());
        assertTrue(health.headers().firstValue("x-request-id").orElse("").startsWith("req_"));
        HttpResponse<String> notFound = proxy.get("/v1/unknown");
        assertTrue(notFound.headers().firstValue("x-request-id").isPresent());
        HttpResponse<String> unauthorized = proxy.send(
                HttpRequest.newBuilder(URI.create(proxy.url("/v1/models"))).build());
        assertEquals(401, unauthorized.statusCode());
        assertTrue(unauthorized.headers().firstValue("x-request-id").isPresent());
        HttpResponse<String> badId = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/health")))
                .header("x-request-id", "has space and \u00e9")
                .build());
        assertTrue(badId.headers().firstValue("x-request-id").orElse("").startsWith("req_"), "unsafe ids are replaced");
    }

    @Test
    void completionsAndEmbeddingsAreForwardedToTheirPaths() throws Exception {
        upstream.enqueue(Reply.json(200, "{\"object\":\"text_completion\"}"));
        HttpResponse<String> c =
                proxy.post("/v1/completions", "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"Say\"}");
        assertEquals(200, c.statusCode());
        RecordedRequest got = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1/completions", got.uri());
        assertEquals("{\"model\":\"instruct-up\",\"prompt\":\"Say\"}", got.bodyUtf8());

        upstream.enqueue(Reply.json(200, "{\"object\":\"list\",\"data\":[]}"));
        HttpResponse<String> e =
                proxy.post("/v1/embeddings", "{\"input\":\"hi\",\"model\":\"text-embedding-3-small\"}");
        assertEquals(200, e.statusCode());
        got = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("/v1/embeddings", got.uri());
        assertEquals("{\"input\":\"hi\",\"model\":\"emb-up\"}", got.bodyUtf8());
    }

    @Test
    void modelsAreListedAndRetrieved() throws Exception {
        HttpResponse<String> list = proxy.get("/v1/models");
        assertEquals(200, list.statusCode());
        JsonNode root = ErrorShape.json(list.body());
        assertEquals("list", root.get("object").asText());
        assertEquals(3, root.get("data").size());
        JsonNode first = root.get("data").get(0);
        assertEquals("gpt-4o-mini", first.get("id").asText());
        assertEquals("model", first.get("object").asText());
        assertEquals("mock", first.get("owned_by").asText());
        assertTrue(first.get("created").isNumber());

        HttpResponse<String> one = proxy.get("/v1/models/gpt-3.5-turbo-instruct");
        assertEquals(200, one.statusCode());
        assertEquals(
                "gpt-3.5-turbo-instruct", ErrorShape.json(one.body()).get("id").asText());

        HttpResponse<String> missing = proxy.get("/v1/models/nope");
        assertEquals(404, missing.statusCode());
        ErrorShape.assertError(missing.body(), "invalid_request_error", "model_not_found", "model");
    }

    @Test
    void upstreamErrorStatusIsPassedThroughWithItsBody() throws Exception {
        String err =
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
        upstream.enqueue(Reply.json(429, err, Map.of("retry-after", "7")));
        HttpResponse<String> r = proxy.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{}]}");
        assertEquals(429, r.statusCode());
        assertEquals(err, r.body());
        assertEquals("7", r.headers().firstValue("retry-after").orElse(null));
    }

    @Test
    void aNonJsonUpstreamErrorIsWrappedInOpenAiShape() throws Exception {
        upstream.enqueue(Reply.text(502, "text/html", "<html>bad gateway</html>"));
        HttpResponse<String> r = proxy.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{}]}");
        assertEquals(502, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        ErrorShape.assertError(r.body(), "api_error", "upstream_error", null);
    }

    @Test
    void aPartialUpstreamErrorIsCompletedToOpenAiShape() throws Exception {
        upstream.enqueue(Reply.json(
                429,
                "{\"error\":{\"code\":\"429\",\"message\":\"Rate limit is exceeded.\"}}",
                Map.of("retry-after", "2")));
        HttpResponse<String> r = proxy.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{}]}");
        assertEquals(429, r.statusCode());
        var error = ErrorShape.assertError(r.body(), "invalid_request_error", "429", null);
        assertEquals("Rate limit is exceeded.", error.get("message").asText());
        assertEquals("2", r.headers().firstValue("retry-after").orElse(null));
    }

    @Test
    void aWildcardRoutePassesTheRestOfTheNameAsTheModelId() throws Exception {
        upstream.enqueue(Reply.json(200, "{}"));
        HttpResponse<String> r =
                proxy.post("/v1/chat/completions", "{\"model\":\"router/vendor/model-x:free\",\"messages\":[{}]}");
        assertEquals(200, r.statusCode());
        assertEquals(
                "{\"model\":\"vendor/model-x:free\",\"messages\":[{}]}",
                upstream.takeRequest(Duration.ofSeconds(5)).bodyUtf8());
        assertEquals(
                "vendor/model-x:free", r.headers().firstValue("x-proxy-model").orElse(null));
        assertEquals(
                404,
                proxy.post("/v1/chat/completions", "{\"model\":\"router/\",\"messages\":[{}]}")
                        .statusCode());
        assertTrue(!proxy.get("/v1/models").body().contains("router/*"), "wildcards are not listed");
    }

    @Test
    void aWildcardModelNameCannotInjectHeaders() throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r =
                proxy.post("/v1/chat/completions", "{\"model\":\"router/x\\r\\nSet-Cookie: a=b\",\"messages\":[{}]}");
        assertEquals(400, r.statusCode());
        ErrorShape.assertError(r.body(), "invalid_request_error", "invalid_value", "model");
        assertTrue(r.headers().firstValue("set-cookie").isEmpty());
        assertEquals(before, upstream.requestCount());
    }

    @Test
    void upstreamConnectionsAreReused() throws Exception {
        int before = upstream.connectionsOpened();
        for (int i = 0; i < 5; i++) {
            upstream.enqueue(Reply.json(200, "{}"));
            assertEquals(
                    200,
                    proxy.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{}]}")
                            .statusCode());
        }
        assertTrue(
                upstream.connectionsOpened() - before <= 2,
                "keep-alive reuse: " + (upstream.connectionsOpened() - before) + " new connections for 5 calls");
    }
}
