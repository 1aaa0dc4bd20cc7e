package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.it.ProxyHarness;
import io.aigw.server.logging.JsonLogs;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Every line written while an exchange runs on the event loop carries its {@code request_id}, in
 * JSON lines that parse; and one exchange's ids never label another's lines, even on one loop with
 * two exchanges interleaved.
 */
class ExchangeLogIdsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void interleavedExchangesOnOneLoopLabelOnlyTheirOwnLines() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> capture = new OutputStreamAppender<>();
        capture.setContext(context);
        capture.setEncoder(JsonLogs.encoder(context));
        capture.setOutputStream(out);
        capture.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(capture);
        try (TestUpstream up = TestUpstream.start()) {
            // "slow" fails late (the provider resets the connection), "quick" fails meanwhile (its
            // first-byte timeout): each failure is logged from a callback of its own exchange.
            up.setDefault(req -> req.bodyUtf8().contains("\"slow-id\"")
                    ? Reply.delayed(Duration.ofMillis(700), Reply.closeImmediately())
                    : Reply.hang());
            try (ProxyHarness proxy =
                    ProxyHarness.startYaml("""
                    server: {host: 127.0.0.1, port: 0, io_threads: 1}
                    auth: {api_keys: ["%s"]}
                    request_log: {store: off}
                    providers:
                      slowp: {type: openai, base_url: "%s"}
                      quickp: {type: openai, base_url: "%s", first_byte_timeout_ms: 200}
                    models:
                      slow: {retries: {count: 0}, providers: {slowp: {model_id: slow-id}}}
                      quick: {retries: {count: 0}, providers: {quickp: {model_id: quick-id}}}
                    """.formatted(ProxyHarness.KEY, up.baseUrl(), up.baseUrl()))) {
                CompletableFuture<HttpResponse<String>> slow = send(proxy, "slow", "req-slow-1");
                assertTrue(up.takeRequest(Duration.ofSeconds(5)) != null, "the slow request reached the provider");
                CompletableFuture<HttpResponse<String>> quick = send(proxy, "quick", "req-quick-2");
                assertEquals(504, quick.get(10, TimeUnit.SECONDS).statusCode());
                assertEquals(502, slow.get(10, TimeUnit.SECONDS).statusCode());

                // Nothing stays behind on the loop once both are over.
                Map<String, String> left = proxy.server()
                        .workers()
                        .submit(MDC::getCopyOfContextMap)
                        .get(5, TimeUnit.SECONDS);
                assertTrue(left == null || left.isEmpty(), "MDC left on the event loop: " + left);
            }
        } finally {
            root.detachAppender(capture);
            capture.stop();
        }

        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line)); // every line parses
            }
        }
        int failures = 0;
        for (JsonNode line : lines) {
            String message = line.path("formattedMessage").asText();
            assertTrue(line.has("level") && line.has("timestamp") && line.has("loggerName"), line.toString());
            if (message.startsWith("request req-")) {
                failures++;
                String id = message.substring("request ".length(), message.indexOf(':'));
                assertEquals(id, line.path("mdc").path("request_id").asText(), line.toString());
            } else if (message.startsWith("aigw listening") || message.startsWith("stopping")) {
                assertNull(line.path("mdc").get("request_id"), "a line outside any exchange: " + line);
            }
        }
        assertEquals(2, failures, "one provider failure line per exchange: " + lines);
    }

    private static CompletableFuture<HttpResponse<String>> send(ProxyHarness proxy, String model, String requestId) {
        return proxy.http()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                                .header("x-request-id", requestId)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
