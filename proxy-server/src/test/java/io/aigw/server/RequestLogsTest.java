package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.log.RequestLog;
import io.aigw.server.dialect.Dialects;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class RequestLogsTest {
    @TempDir
    Path dir;

    /** A password given in the PostgreSQL URL (a common way to pass it) must not reach a log line. */
    @Test
    void thePostgresPasswordInTheUrlIsNotLogged() throws Exception {
        String secret = "hunter2-pg-secret";
        ProxyConfig config = new ConfigLoader(Dialects.TYPES, Map.of())
                .parse("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["sk-test-client-key"]}
                providers:
                  p: {type: openai, base_url: "http://127.0.0.1:9"}
                models:
                  m: {providers: {p: {}}}
                request_log:
                  store: postgres
                  postgres: {url: "jdbc:postgresql://127.0.0.1:1/db?user=aigw&password=%s"}
                  spill_dir: "%s"
                  drain_timeout_ms: 200
                """.formatted(secret, dir.resolve("spill")), "test.yaml");
        Queue<String> lines = new ConcurrentLinkedQueue<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                lines.add(e.getFormattedMessage()
                        + (e.getThrowableProxy() == null
                                ? ""
                                : e.getThrowableProxy().getMessage()));
            }
        };
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture.start();
        root.addAppender(capture);
        try {
            RequestLog log = RequestLogs.open(config);
            log.close();
        } finally {
            root.detachAppender(capture);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("request log")), lines.toString());
        for (String line : lines) {
            assertFalse(line.contains(secret), "a database password in a log line: " + line);
        }
    }
}
