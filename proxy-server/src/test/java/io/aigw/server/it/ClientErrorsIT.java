package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every client-side error row of the contract, through the real server: status and OpenAI shape. */
class ClientErrorsIT {
    static TestUpstream upstream;
    static ProxyHarness proxy;
    static final String CHAT_OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\","
            + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        upstream.setDefault(r -> Reply.json(200, CHAT_OK));
        proxy = ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0, max_body_bytes: 4096, request_read_timeout_ms: 400}
                auth: {api_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                models:
                  gpt-4o-mini:
                    providers:
                      mock: {model_id: up-model}
                """.formatted(ProxyHarness.KEY, upstream.baseUrl()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
    }

    private static HttpResponse<String> chat(String body) throws Exception {
        return proxy.post("/v1/chat/completions", body);
    }

    @Test
    void malformedJsonIs400() throws Exception {
        HttpResponse<String> r = chat("{\"model\": \"gpt-4o-mini\", \"messages\": [");
        assertEquals(400, r.statusCode());
        assertError(r.body(), "invalid_request_error", "invalid_json", null);
    }

    @Test
    void invalidUtf8Is400() throws Exception {
        byte[] head = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"a"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}]}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xC3; // a two-byte lead ...
        body[head.length + 1] = (byte) 0x28; // ... followed by a non-continuation byte
        System.arraycopy(tail, 0, body, head.length + 2, tail.length);
        try (RawHttp raw = new RawHttp(proxy.port())) {
            raw.post("/v1/chat/completions", ProxyHarness.KEY, body);
            RawHttp.Response r = raw.readResponse();
            assertEquals(400, r.status());
            assertError(r.body(), "invalid_request_error", "invalid_json", null);
        }
    }

    @Test
    void bodyThatIsNotAnObjectIs400() throws Exception {
        HttpResponse<String> r = chat("[{\"model\":\"gpt-4o-mini\"}]");
        assertEquals(400, r.statusCode());
        assertError(r.body(), "invalid_request_error", "invalid_type", null);
    }

    @Test
    void missingOrMistypedModelIs400() throws Exception {
        HttpResponse<String> missing = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(400, missing.statusCode());
        assertError(missing.body(), "invalid_request_error", "missing_required_parameter", "model");

        HttpResponse<String> mistyped = chat("{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(400, mistyped.statusCode());
        assertError(mistyped.body(), "invalid_request_error", "invalid_type", "model");
    }

    @Test
    void missingOrMistypedMessagesIs400() throws Exception {
        HttpResponse<String> missing = chat("{\"model\":\"gpt-4o-mini\"}");
        assertEquals(400, missing.statusCode());
        assertError(missing.body(), "invalid_request_error", "missing_required_parameter", "messages");

        HttpResponse<String> mistyped = chat("{\"model\":\"gpt-4o-mini\",\"messages\":\"hello\"}");
        assertEquals(400, mistyped.statusCode());
        assertError(mistyped.body(), "invalid_request_error", "invalid_type", "messages");
    }

    @Test
    void missingOrWrongKeyIs401() throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[]}";
        HttpResponse<String> none = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertEquals(401, none.statusCode());
        assertError(none.body(), "invalid_request_error", "invalid_api_key", null);

        HttpResponse<String> wrong = proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer sk-wrong-key-12345")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertEquals(401, wrong.statusCode());
        assertError(wrong.body(), "invalid_request_error", "invalid_api_key", null);
        assertFalse(wrong.body().contains("sk-wrong-key-12345"), "the presented key is never echoed");
    }

    @Test
    void unknownModelIs404WithModelNotFound() throws Exception {
        HttpResponse<String> r =
                chat("{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, r.statusCode());
        assertError(r.body(), "invalid_request_error", "model_not_found", "model");
    }

    @Test
    void unknownPathIs404() throws Exception {
        HttpResponse<String> r = proxy.get("/v1/nothing-here");
        assertEquals(404, r.statusCode());
        assertError(r.body(), "invalid_request_error", "unknown_url", null);
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = proxy.get("/v1/chat/completions");
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("allow").orElse(""));
        assertError(r.body(), "invalid_request_error", "method_not_allowed", null);
    }

    @Test
    void bodyOverTheLimitIs413AndTheConnectionStaysUsable() throws Exception {
        String big = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000)
                + "\"}]}";
        try (RawHttp raw = new RawHttp(proxy.port())) {
            raw.post("/v1/chat/completions", ProxyHarness.KEY, big.getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response r = raw.readResponse();
            assertEquals(413, r.status());
            assertError(r.body(), "invalid_request_error", "request_too_large", null);
            assertTrue(r.hasHeader("x-request-id:"), r.headers());
            raw.post(
                    "/v1/chat/completions",
                    ProxyHarness.KEY,
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                            .getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, raw.readResponse().status());
        }
    }

    @Test
    void connectionStaysUsableAfterEach4xx() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String[] bad = {"{", "[]", "{\"messages\":[]}", "{\"model\":\"nope\",\"messages\":[{}]}"};
            int[] expected = {400, 400, 400, 404};
            for (int i = 0; i < bad.length; i++) {
                raw.post("/v1/chat/completions", ProxyHarness.KEY, bad[i].getBytes(StandardCharsets.US_ASCII));
                assertEquals(expected[i], raw.readResponse().status(), bad[i]);
            }
            raw.post("/v1/chat/completions", null, "{}".getBytes(StandardCharsets.US_ASCII));
            assertEquals(401, raw.readResponse().status());
            raw.post(
                    "/v1/chat/completions",
                    ProxyHarness.KEY,
                    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                            .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response ok = raw.readResponse();
            assertEquals(200, ok.status());
            assertEquals(CHAT_OK, ok.body());
        }
    }

    @Test
    void aRequestNotCompletedInTimeGets408AndIsClosed() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            raw.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"model\":");
            RawHttp.Response r = raw.readResponse();
            assertEquals(408, r.status());
            assertError(r.body(), "invalid_request_error", "request_timeout", null);
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void garbageBodiesNeverYieldA5xx() throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String[] fixed = {
            "",
            "null",
            "true",
            "\"str\"",
            "{\"model\":null}",
            "{\"model\":\"gpt-4o-mini\",\"stream\":\"yes\"," + "\"messages\":[{}]}",
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{}]} trailing",
            "{\"model\":\"a\",\"model\":\"gpt-4o-mini\",\"messages\":[{}]}",
            "{".repeat(300) + "}".repeat(300)
        };
        try (RawHttp raw = new RawHttp(proxy.port())) {
            for (String body : fixed) {
                raw.post("/v1/chat/completions", ProxyHarness.KEY, body.getBytes(StandardCharsets.UTF_8));
                RawHttp.Response r = raw.readResponse();
                assertEquals(400, r.status(), body + " -> " + r.body());
                ErrorShape.json(r.body()).get("error").get("message").asText();
            }
            for (int i = 0; i < 200; i++) {
                byte[] body = new byte[random.nextInt(1, 200)];
                random.nextBytes(body);
                raw.post("/v1/chat/completions", ProxyHarness.KEY, body);
                RawHttp.Response r = raw.readResponse();
                assertNotEquals(500, r.status());
                assertTrue(r.status() == 400, "random bytes must be a 400, got " + r.status() + " " + r.body());
            }
        }
    }

    @Test
    void malformedHttpIs400AndClosed() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            raw.write("THIS IS NOT HTTP\r\n\r\n");
            RawHttp.Response r = raw.readResponse();
            assertEquals(400, r.status());
            assertError(r.body(), "invalid_request_error", "malformed_http", null);
        }
    }
}
