package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.routing.FailureClass;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.http.Exchange;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange lifecycle through the real server, heard by a recording listener: N requests of each
 * kind get their events in order, once each, with the facts an observer needs (attempts and their
 * outcomes, status, usage, finish reason, trace id) stated by the time {@code completed} is heard.
 */
class ExchangeLifecycleIT {
    private static final int N = 3;
    private static final String CHAT = "{\"model\":\"%s\",\"max_tokens\":64,\"temperature\":0.5,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]%s}";
    private static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"up\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"length\"}],"
            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}";
    private static final String CHUNK = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}";
    private static final String LAST = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{},\"finish_reason\":\"stop\"}]}";
    private static final String USAGE = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
    private static final String PROVIDER_ERROR =
            "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}";

    private static final Recorder recorder = new Recorder();
    private static TestUpstream primary;
    private static TestUpstream backup;
    private static ProxyHarness proxy;

    /** What a listener saw of one exchange: its events in order, and its facts at completion. */
    record Seen(
            String requestId,
            List<String> events,
            int status,
            long promptTokens,
            long completionTokens,
            String finishReason,
            String errorCode,
            String routeName,
            String requestedModel,
            boolean stream,
            long maxTokens,
            double temperature,
            String traceId,
            String parentSpanId,
            boolean clientClosed,
            List<Attempt> attempts,
            boolean timesInOrder) {}

    /** Records on the event loop; the test thread takes whole exchanges once they completed. */
    static final class Recorder implements ExchangeListener {
        final LinkedBlockingQueue<Seen> completed = new LinkedBlockingQueue<>();
        private static final int SLOT = 0;

        private List<String> events(Exchange e) {
            List<String> events = e.state(SLOT);
            if (events == null) {
                events = new ArrayList<>();
                e.state(SLOT, events);
            }
            return events;
        }

        @Override
        public void started(Exchange e) {
            events(e).add("started");
        }

        @Override
        public void attemptStarted(Exchange e, Attempt a) {
            events(e).add("attemptStarted " + a.number() + " " + a.deployment());
        }

        @Override
        public void attemptEnded(Exchange e, Attempt a) {
            events(e)
                    .add("attemptEnded " + a.number() + " " + a.outcome()
                            + (a.failureClass() == null ? "" : " " + a.failureClass()));
        }

        @Override
        public void firstByteToClient(Exchange e) {
            events(e).add("firstByteToClient");
        }

        @Override
        public void completed(Exchange e) {
            events(e).add("completed");
            boolean inOrder = e.endNanos() - e.startNanos() >= 0
                    && (e.firstByteToClientNanos() < 0 || e.endNanos() - e.firstByteToClientNanos() >= 0);
            for (Attempt a : e.attempts()) {
                inOrder &= a.endNanos() - a.startNanos() >= 0;
            }
            completed.add(new Seen(
                    e.requestId(),
                    List.copyOf(events(e)),
                    e.statusCode(),
                    e.usage().promptTokens(),
                    e.usage().completionTokens(),
                    e.finishReason(),
                    e.error() == null ? null : e.error().code(),
                    e.routeName(),
                    e.requestedModel(),
                    e.stream(),
                    e.requestMaxTokens(),
                    e.requestTemperature(),
                    e.traceContext().traceId(),
                    e.traceContext().parentSpanId(),
                    e.clientClosed(),
                    List.copyOf(e.attempts()),
                    inOrder));
        }

        Seen next() throws InterruptedException {
            Seen s = completed.poll(5, TimeUnit.SECONDS);
            assertNotNull(s, "no exchange completed within 5 s");
            return s;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        primary = TestUpstream.start();
        backup = TestUpstream.start();
        proxy = ProxyHarness.startYaml(
                """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                upstream: {breaker: {failures: 100, cooldown_ms: 600000}}
                providers:
                  primary: {type: openai, base_url: "%s"}
                  backup: {type: openai, base_url: "%s"}
                models:
                  m:
                    retries: {count: 0}
                    providers:
                      primary: {priority: 0}
                      backup: {priority: 1}
                  solo:
                    retries: {count: 0}
                    providers:
                      primary: {model_id: up}
                """.formatted(ProxyHarness.KEY, primary.baseUrl(), backup.baseUrl()), List.of(recorder));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        primary.close();
        backup.close();
    }

    @BeforeEach
    void reset() {
        recorder.completed.clear();
        primary.setDefault(r -> Reply.json(200, ANSWER));
        backup.setDefault(r -> Reply.json(200, ANSWER));
    }

    private static HttpResponse<String> chat(String model, String extra, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url("/v1/chat/completions")))
                .header("Authorization", "Bearer " + ProxyHarness.KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted(model, extra)));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return proxy.send(b.build());
    }

    private static void assertNewTrace(Seen s) {
        assertTrue(s.traceId().matches("[0-9a-f]{32}") && !s.traceId().matches("0+"), s.traceId());
        assertNull(s.parentSpanId());
    }

    @Test
    void plainAnswers() throws Exception {
        for (int i = 0; i < N; i++) {
            String parent = "00-0af7651916cd43dd8448eb211c80319" + i + "-b7ad6b716920333" + i + "-01";
            HttpResponse<String> r = chat("solo", "", parent);
            assertEquals(200, r.statusCode(), r.body());
            Seen s = recorder.next();
            assertEquals(r.headers().firstValue("x-request-id").orElseThrow(), s.requestId());
            assertEquals(
                    List.of(
                            "started",
                            "attemptStarted 1 solo@primary",
                            "attemptEnded 1 ANSWERED",
                            "firstByteToClient",
                            "completed"),
                    s.events());
            assertEquals(200, s.status());
            assertEquals(11, s.promptTokens());
            assertEquals(3, s.completionTokens());
            assertEquals("length", s.finishReason());
            assertNull(s.errorCode());
            assertEquals("solo", s.routeName());
            assertEquals("solo", s.requestedModel());
            assertFalse(s.stream());
            assertEquals(64, s.maxTokens());
            assertEquals(0.5, s.temperature());
            assertEquals("0af7651916cd43dd8448eb211c80319" + i, s.traceId(), "the client's trace");
            assertEquals("b7ad6b716920333" + i, s.parentSpanId());
            Attempt a = s.attempts().get(0);
            assertEquals("primary", a.provider());
            assertEquals("openai", a.providerType());
            assertEquals("up", a.modelId());
            assertEquals("127.0.0.1", a.serverAddress());
            assertEquals(200, a.statusCode());
            assertTrue(a.acquiredNanos() >= 0 && a.requestWrittenNanos() >= 0 && a.firstByteNanos() >= 0);
            assertTrue(a.lastByteNanos() >= 0);
            assertTrue(s.timesInOrder());
        }
        assertTrue(recorder.completed.isEmpty(), "once each");
        assertEquals(0, proxy.server().listeners().failures());
    }

    @Test
    void streams() throws Exception {
        for (int i = 0; i < N; i++) {
            primary.enqueue(Reply.sse(List.of(CHUNK, LAST, USAGE)));
            HttpResponse<String> r =
                    chat("solo", ",\"stream\":true", "00-00000000000000000000000000000000-b7ad6b7169203331-01");
            assertEquals(200, r.statusCode(), r.body());
            Seen s = recorder.next();
            assertEquals(
                    List.of(
                            "started",
                            "attemptStarted 1 solo@primary",
                            "firstByteToClient",
                            "attemptEnded 1 ANSWERED",
                            "completed"),
                    s.events());
            assertEquals(200, s.status());
            assertTrue(s.stream());
            assertEquals(5, s.promptTokens());
            assertEquals(2, s.completionTokens());
            assertEquals("stop", s.finishReason());
            assertNewTrace(s); // an all-zero trace id is invalid: a new trace
            assertTrue(s.timesInOrder());
        }
        assertTrue(recorder.completed.isEmpty(), "once each");
    }

    @Test
    void clientErrorsBeforeRouting() throws Exception {
        for (int i = 0; i < N; i++) {
            HttpResponse<String> r = proxy.post("/v1/chat/completions", "{\"model\":\"solo\"}");
            assertEquals(400, r.statusCode(), r.body());
            Seen s = recorder.next();
            assertEquals(List.of("started", "firstByteToClient", "completed"), s.events());
            assertEquals(400, s.status());
            assertEquals("missing_required_parameter", s.errorCode());
            assertTrue(s.attempts().isEmpty());
            assertNull(s.routeName());
            assertNewTrace(s);
        }
        assertTrue(recorder.completed.isEmpty(), "once each");
    }

    @Test
    void providerErrorsPassedThrough() throws Exception {
        for (int i = 0; i < N; i++) {
            primary.enqueue(Reply.json(500, PROVIDER_ERROR));
            HttpResponse<String> r = chat("solo", "", null);
            assertEquals(500, r.statusCode(), r.body());
            Seen s = recorder.next();
            assertEquals(
                    List.of(
                            "started",
                            "attemptStarted 1 solo@primary",
                            "attemptEnded 1 ANSWERED",
                            "firstByteToClient",
                            "completed"),
                    s.events());
            assertEquals(500, s.status());
            assertEquals(500, s.attempts().get(0).statusCode());
            assertEquals(-1, s.promptTokens(), "an error answer has no usage");
            assertNewTrace(s);
        }
        assertTrue(recorder.completed.isEmpty(), "once each");
    }

    @Test
    void failoverToTheBackup() throws Exception {
        for (int i = 0; i < N; i++) {
            primary.enqueue(Reply.json(500, PROVIDER_ERROR));
            HttpResponse<String> r = chat("m", "", null);
            assertEquals(200, r.statusCode(), r.body());
            Seen s = recorder.next();
            assertEquals(
                    List.of(
                            "started",
                            "attemptStarted 1 m@primary",
                            "attemptEnded 1 FAILED STATUS",
                            "attemptStarted 2 m@backup",
                            "attemptEnded 2 ANSWERED",
                            "firstByteToClient",
                            "completed"),
                    s.events());
            assertEquals(2, s.attempts().size());
            assertEquals(FailureClass.STATUS, s.attempts().get(0).failureClass());
            assertEquals("upstream_error", s.attempts().get(0).errorCode());
            assertEquals(500, s.attempts().get(0).statusCode());
            assertEquals("backup", s.attempts().get(1).provider());
            assertEquals(200, s.status());
            assertEquals(11, s.promptTokens());
            assertEquals("m", s.routeName());
        }
        assertTrue(recorder.completed.isEmpty(), "once each");
    }

    @Test
    void clientClosingMidStream() throws Exception {
        for (int i = 0; i < N; i++) {
            StreamScript script = new StreamScript();
            primary.enqueue(Reply.stream(script));
            try (RawHttp raw = new RawHttp(proxy.port())) {
                raw.post(
                        "/v1/chat/completions",
                        ProxyHarness.KEY,
                        "{\"model\":\"solo\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                script.send(CHUNK);
                assertEquals(200, raw.readHead());
                BufferedReader body =
                        new BufferedReader(new InputStreamReader(raw.chunkedBody(), StandardCharsets.UTF_8));
                assertEquals("data: " + CHUNK, body.readLine());
            }
            Seen s = recorder.next();
            assertEquals(
                    List.of(
                            "started",
                            "attemptStarted 1 solo@primary",
                            "firstByteToClient",
                            "attemptEnded 1 CANCELLED",
                            "completed"),
                    s.events());
            assertTrue(s.clientClosed());
            assertEquals(200, s.status(), "the head was written before the client left");
            assertTrue(script.awaitClosedByPeer(Duration.ofSeconds(2)));
        }
        assertTrue(recorder.completed.isEmpty(), "once each");
    }

    @Test
    void healthChecksAreExchangesToo() throws Exception {
        HttpResponse<String> r = proxy.get("/health");
        assertEquals(200, r.statusCode());
        Seen s = recorder.next();
        assertEquals(List.of("started", "firstByteToClient", "completed"), s.events());
    }
}
