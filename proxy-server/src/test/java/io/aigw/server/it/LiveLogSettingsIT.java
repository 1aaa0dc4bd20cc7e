package io.aigw.server.it;

import static io.aigw.server.it.ErrorShape.assertError;
import static io.aigw.server.it.ErrorShape.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.aigw.server.logging.AccessLogListener;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The request log's bodies and redaction rules and the access log change on a reload, through the
 * real server and a real SQLite log: requests that start after the reload are captured under the
 * new settings, an exchange under way (a stream) keeps those it started with, and a reload with an
 * invalid redaction rule changes nothing.
 */
class LiveLogSettingsIT {
    private static final String OK = FailoverIT.OK;

    @TempDir
    Path dir;

    private String yaml(String upstream, String requestLog, String logging) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 1}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                data_dir: "%s"
                request_log: %s
                logging: %s
                providers:
                  a: {type: openai, base_url: "%s", api_key: sk-provider-a-secret}
                models:
                  m:
                    retries: {count: 0}
                    providers: {a: {model_id: m-id}}
                """.formatted(
                        ProxyHarness.KEY, ProxyHarness.ADMIN_KEY, dir.resolve("data"), requestLog, logging, upstream);
    }

    private Path write(String yaml) throws Exception {
        Path tmp = dir.resolve("proxy.yaml.tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Path file = dir.resolve("proxy.yaml");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static HttpRequest chat(ProxyHarness proxy, String requestId, String content, boolean stream) {
        String body = "{\"model\":\"m\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
        return HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("Content-Type", "application/json")
                .header("x-request-id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static void call(ProxyHarness proxy, String requestId, String content) throws Exception {
        HttpResponse<String> r = proxy.send(chat(proxy, requestId, content, false));
        assertEquals(200, r.statusCode(), r.body());
    }

    private static JsonNode reload(ProxyHarness proxy) throws Exception {
        HttpResponse<String> r = proxy.adminPost("/admin/config/reload");
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The exchange's row, once the writer has stored it. */
    private static JsonNode row(ProxyHarness proxy, String requestId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            HttpResponse<String> page = proxy.adminGet("/admin/logs?limit=1000");
            assertEquals(200, page.statusCode(), page.body());
            for (JsonNode row : json(page.body()).get("data")) {
                if (requestId.equals(row.path("request_id").asText())) {
                    return row;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no row for " + requestId + " in " + page.body());
            }
            Thread.sleep(50);
        }
    }

    private static boolean hasBody(JsonNode row, String field) {
        return row.hasNonNull(field);
    }

    private static String chunk(String text) {
        return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-id\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}";
    }

    @Test
    void bodiesToMetadataAppliesToNewRequestsWhileAStreamUnderWayKeepsItsBody() throws Exception {
        try (TestUpstream a = TestUpstream.start()) {
            StreamScript script = new StreamScript();
            a.enqueue(Reply.stream(script));
            a.setDefault(r -> Reply.json(200, OK));
            String full = "{bodies: full, flush_interval_ms: 50}";
            Path file = write(yaml(a.baseUrl(), full, "{}"));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                CompletableFuture<HttpResponse<String>> stream = proxy.http()
                        .sendAsync(chat(proxy, "live-stream", "tell me", true), HttpResponse.BodyHandlers.ofString());
                assertTrue(script.awaitStarted(Duration.ofSeconds(5)));
                script.send(chunk("before"));

                write(yaml(a.baseUrl(), "{bodies: metadata, flush_interval_ms: 50}", "{}"));
                JsonNode answer = reload(proxy);
                assertEquals("reloaded", answer.get("status").asText(), answer.toString());
                assertEquals(List.of("request_log.bodies"), strings(answer.get("changed")));
                assertEquals(List.of(), strings(answer.get("restart_required")));

                call(proxy, "after-reload", "hello");
                assertFalse(stream.isDone(), "the stream goes on");
                script.send(chunk("after"));
                script.end();
                HttpResponse<String> streamed = stream.get(10, TimeUnit.SECONDS);
                assertEquals(200, streamed.statusCode(), streamed.body());

                JsonNode after = row(proxy, "after-reload");
                assertFalse(hasBody(after, "request_body"), after.toString());
                assertFalse(hasBody(after, "response_body"), after.toString());
                assertTrue(after.get("request_headers").toString().contains("application/json"), after.toString());

                JsonNode kept = row(proxy, "live-stream");
                assertTrue(kept.get("request_body").toString().contains("tell me"), kept.toString());
                String message = kept.get("response_body").toString();
                assertTrue(message.contains("beforeafter"), "the assembled stream, both halves: " + message);

                // Back to full: the next request has its bodies again.
                write(yaml(a.baseUrl(), full, "{}"));
                assertEquals(
                        List.of("request_log.bodies"), strings(reload(proxy).get("changed")));
                call(proxy, "full-again", "again");
                JsonNode again = row(proxy, "full-again");
                assertTrue(again.get("request_body").toString().contains("again"), again.toString());
                assertTrue(hasBody(again, "response_body"), again.toString());
            }
        }
    }

    @Test
    void anAddedRedactionRuleAppliesToTheNextRequestAnInvalidOneChangesNothing() throws Exception {
        try (TestUpstream a = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            String emailOnly = "{redact: [email], flush_interval_ms: 50}";
            String withTicket = "{redact: [email, {name: ticket, regex: \"TCK-[0-9]+\"}], flush_interval_ms: 50}";
            Path file = write(yaml(a.baseUrl(), emailOnly, "{}"));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                call(proxy, "before-rule", "ticket TCK-12345 from bob@example.com");
                String before = row(proxy, "before-rule").get("request_body").toString();
                assertTrue(before.contains("TCK-12345"), before);
                assertTrue(before.contains("[REDACTED:email]") && !before.contains("bob@example.com"), before);

                write(yaml(a.baseUrl(), withTicket, "{}"));
                JsonNode answer = reload(proxy);
                assertEquals(List.of("request_log.redact"), strings(answer.get("changed")), answer.toString());
                call(proxy, "after-rule", "ticket TCK-12345 from bob@example.com");
                String after = row(proxy, "after-rule").get("request_body").toString();
                assertFalse(after.contains("TCK-12345"), after);
                assertTrue(after.contains("[REDACTED:ticket]") && after.contains("[REDACTED:email]"), after);

                // An invalid rule refuses the whole file: neither it nor the bodies change goes in.
                write(yaml(
                        a.baseUrl(),
                        "{bodies: metadata, redact: [{name: ticket, regex: \"TCK-[0-9\"}], flush_interval_ms: 50}",
                        "{}"));
                HttpResponse<String> bad = proxy.adminPost("/admin/config/reload");
                assertEquals(400, bad.statusCode(), bad.body());
                JsonNode error = assertError(bad.body(), "invalid_request_error", "config_invalid", null);
                assertTrue(error.get("message").asText().contains("regex"), bad.body());
                call(proxy, "after-refused", "ticket TCK-777 from bob@example.com");
                String still = row(proxy, "after-refused").get("request_body").toString();
                assertTrue(still.contains("[REDACTED:ticket]") && still.contains("[REDACTED:email]"), still);
                assertEquals(1, proxy.server().runtime().version(), "no snapshot was made");
            }
        }
    }

    @Test
    void theAccessLogTurnsOnAndOffOnReload() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger access = context.getLogger(AccessLogListener.LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.setContext(context);
        lines.start();
        access.addAppender(lines);
        try (TestUpstream a = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            Path file = write(yaml(a.baseUrl(), "{store: off}", "{access_log: false}"));
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                call(proxy, "access-off", "x");
                write(yaml(a.baseUrl(), "{store: off}", "{access_log: true}"));
                assertEquals(
                        List.of("logging.access_log"), strings(reload(proxy).get("changed")));
                call(proxy, "access-on", "x");
                write(yaml(a.baseUrl(), "{store: off}", "{access_log: false}"));
                assertEquals(
                        List.of("logging.access_log"), strings(reload(proxy).get("changed")));
                call(proxy, "access-off-again", "x");
            }
            List<String> logged = new ArrayList<>();
            lines.list.forEach(e -> logged.add(e.getFormattedMessage()));
            assertEquals(
                    1,
                    logged.stream()
                            .filter(l -> l.contains("request_id=access-on"))
                            .count(),
                    logged.toString());
            assertTrue(logged.stream().noneMatch(l -> l.contains("request_id=access-off")), logged.toString());
        } finally {
            access.detachAppender(lines);
        }
    }
}
