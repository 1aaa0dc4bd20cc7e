package io.aigw.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.core.auth.KeyHash;
import io.aigw.server.it.ProxyHarness;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.access_log: true} through the real server: one JSON line per exchange (plain,
 * stream, refused) on {@code aigw.access}, with its fields, its request id and its trace id in the
 * MDC, and no key anywhere.
 */
class AccessLogIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void oneLinePerExchangeWithItsFieldsAndIds() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> capture = new OutputStreamAppender<>();
        capture.setContext(context);
        capture.setEncoder(JsonLogs.encoder(context));
        capture.setOutputStream(out);
        capture.start();
        Logger access = context.getLogger(AccessLogListener.LOGGER);
        access.addAppender(capture);
        try (TestUpstream up = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.startYaml("""
                        server: {host: 127.0.0.1, port: 0}
                        auth: {api_keys: ["%s"]}
                        request_log: {store: off}
                        logging: {access_log: true}
                        providers:
                          mock: {type: openai, base_url: "%s", api_key: sk-provider-secret-0001}
                        models:
                          m: {providers: {mock: {model_id: real-m}}}
                        """.formatted(ProxyHarness.KEY, up.baseUrl()))) {
            up.enqueue(Reply.json(200, """
                    {"id":"c1","object":"chat.completion","created":1,"model":"real-m",
                     "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
                     "usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}"""));
            assertEquals(
                    200,
                    chat(
                                    proxy,
                                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                                    "a-plain",
                                    ProxyHarness.KEY)
                            .statusCode());
            up.enqueue(
                    Reply.sse(
                            List.of(
                                    "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"real-m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}",
                                    "{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"real-m\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,\"total_tokens\":8}}")));
            assertEquals(
                    200,
                    chat(
                                    proxy,
                                    "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                                    "b-stream",
                                    ProxyHarness.KEY)
                            .statusCode());
            assertEquals(
                    401,
                    chat(proxy, "{\"model\":\"m\",\"messages\":[]}", "c-refused", "sk-wrong-key-0123456789")
                            .statusCode());
            assertEquals(200, proxy.get("/health").statusCode()); // a probe is an exchange too
        } finally {
            access.detachAppender(capture);
            capture.stop();
        }

        String text = out.toString(StandardCharsets.UTF_8);
        assertFalse(
                text.contains(ProxyHarness.KEY) || text.contains("sk-wrong-key") || text.contains("sk-provider-secret"),
                text);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        assertEquals(4, lines.size(), text);
        String keyPrefix = KeyHash.ofKey(ProxyHarness.KEY).hex().substring(0, 8);

        Map<String, String> plain = fields(lines.get(0));
        assertEquals("a-plain", lines.get(0).path("mdc").path("request_id").asText(), text);
        assertEquals(TRACE_ID, lines.get(0).path("mdc").path("trace_id").asText(), text);
        assertEquals("POST", plain.get("method"));
        assertEquals("/v1/chat/completions", plain.get("path"));
        assertEquals("m", plain.get("model"));
        assertEquals("mock", plain.get("provider"));
        assertEquals("200", plain.get("status"));
        assertEquals("7", plain.get("input_tokens"));
        assertEquals("2", plain.get("output_tokens"));
        assertEquals(keyPrefix, plain.get("key"));
        assertTrue(plain.containsKey("latency_ms") && plain.containsKey("ttfb_ms"), plain.toString());

        Map<String, String> stream = fields(lines.get(1));
        assertEquals("b-stream", lines.get(1).path("mdc").path("request_id").asText(), text);
        assertEquals("200", stream.get("status"));
        assertEquals("3", stream.get("input_tokens"));
        assertEquals("5", stream.get("output_tokens"));
        assertTrue(stream.containsKey("ttfb_ms"), stream.toString());

        Map<String, String> refused = fields(lines.get(2));
        assertEquals("c-refused", lines.get(2).path("mdc").path("request_id").asText(), text);
        assertEquals("401", refused.get("status"));
        assertFalse(refused.containsKey("key"), refused.toString());

        assertEquals("/health", fields(lines.get(3)).get("path"));
    }

    private static Map<String, String> fields(JsonNode line) {
        Map<String, String> kv = new HashMap<>();
        line.path("kvpList")
                .forEach(pair -> pair.fields()
                        .forEachRemaining(e -> kv.put(e.getKey(), e.getValue().asText())));
        return kv;
    }

    private static HttpResponse<String> chat(ProxyHarness proxy, String body, String requestId, String key)
            throws Exception {
        return proxy.send(HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + key)
                .header("x-request-id", requestId)
                .header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }
}
