package io.aigw.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.exchange.Usage;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.logging.AccessLogListener;
import io.aigw.server.logging.JsonLogs;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The access log line of a scripted exchange: every field, nothing secret, one line whatever the client sent. */
class AccessLogListenerTest {
    private static final String CLIENT_KEY = "sk-client-key-never-logged";
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger("aigw.access.test");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.setContext(context);
        lines.start();
        logger.addAppender(lines);
        logger.setAdditive(false);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void oneLinePerExchangeWithItsFields() throws Exception {
        long t0 = 1_000_000_000L;
        Exchange exchange = new Exchange("req-1", t0, HttpMethod.POST, "/v1/chat/completions");
        exchange.keyHash(KeyHash.ofKey(CLIENT_KEY));
        exchange.requestedModel("gpt-4o-2024");
        exchange.routeName("gpt-4o");
        Attempt attempt =
                new Attempt(1, "gpt-4o@openai", "openai", "openai", "gpt-4o", 0, "api.openai.com", t0 + 1_000_000);
        exchange.addAttempt(attempt);
        exchange.statusCode(200);
        exchange.firstByteToClient(t0 + 95_000_000);
        exchange.usage(new Usage(12, 40, 52, 0));
        exchange.end(t0 + 812_000_000);

        AccessLogListener listener = new AccessLogListener(logger);
        listener.started(exchange);
        listener.attemptStarted(exchange, attempt);
        listener.attemptEnded(exchange, attempt);
        listener.firstByteToClient(exchange);
        listener.completed(exchange);

        assertEquals(1, lines.list.size());
        String prefix = KeyHash.ofKey(CLIENT_KEY).hex().substring(0, 8);
        ILoggingEvent line = lines.list.get(0);
        assertEquals(
                "POST /v1/chat/completions 200 model=gpt-4o provider=openai latency_ms=812 ttfb_ms=95 "
                        + "input_tokens=12 output_tokens=40 key=" + prefix + " request_id=req-1",
                line.getFormattedMessage());

        // As JSON: the fields are key-value pairs too, and the key itself is nowhere.
        String json = new String(JsonLogs.encoder(context).encode(line), StandardCharsets.UTF_8);
        assertFalse(json.contains(CLIENT_KEY), json);
        JsonNode node = new ObjectMapper().readTree(json);
        Map<String, String> kv = new HashMap<>();
        node.path("kvpList")
                .forEach(pair -> pair.fields()
                        .forEachRemaining(e -> kv.put(e.getKey(), e.getValue().asText())));
        assertEquals("POST", kv.get("method"), json);
        assertEquals("/v1/chat/completions", kv.get("path"), json);
        assertEquals("gpt-4o", kv.get("model"), json);
        assertEquals("openai", kv.get("provider"), json);
        assertEquals("200", kv.get("status"), json);
        assertEquals("812", kv.get("latency_ms"), json);
        assertEquals("95", kv.get("ttfb_ms"), json);
        assertEquals("12", kv.get("input_tokens"), json);
        assertEquals("40", kv.get("output_tokens"), json);
        assertEquals(prefix, kv.get("key"), json);
    }

    @Test
    void anExchangeWithoutRouteOrKeyStillGetsItsLine() {
        Exchange exchange = new Exchange("req-2", 0, HttpMethod.GET, "/v1/models\nPOST /fake 200");
        exchange.requestedModel("x\" key=forged");
        exchange.statusCode(401);
        exchange.end(3_000_000);

        new AccessLogListener(logger).completed(exchange);

        String message = lines.list.get(0).getFormattedMessage();
        assertEquals(
                "GET /v1/models\\x0aPOST\\x20/fake\\x20200 401 model=x\\x22\\x20key=forged latency_ms=3 request_id=req-2",
                message);
        assertTrue(message.indexOf('\n') < 0);
    }
}
