package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestLogConfigTest {
    private static final String BASE = "providers: {p: {type: openai, base_url: \"http://127.0.0.1:1/v1\"}}\n";

    private static RequestLogConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(Set.of("openai"), Map.of("PGPASS", "s3cret-pg"))
                .parse(BASE + yaml, "t.yaml")
                .requestLog();
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void defaultsAreSqliteUnderTheDataDirWithEveryBuiltInRule() throws Exception {
        RequestLogConfig c = parse("data_dir: /var/lib/aigw\n");
        assertEquals(Store.SQLITE, c.store());
        assertEquals(Bodies.FULL, c.bodies());
        assertEquals(Path.of("/var/lib/aigw/requests.db"), c.sqlitePath());
        assertEquals(Path.of("/var/lib/aigw/spill"), c.spillDir());
        assertEquals(Duration.ofDays(30), c.retention());
        assertEquals(List.of("email", "phone", "card", "secret"), c.redactRules());
        assertNull(c.postgres());
    }

    @Test
    void durabilityIsBatchUnlessWalIsAskedFor() throws Exception {
        assertEquals(RequestLogConfig.Durability.BATCH, parse("").durability());
        assertEquals(
                RequestLogConfig.Durability.WAL,
                parse("request_log: {durability: wal}\n").durability());
        String e = error("request_log: {durability: fsync}\n");
        assertTrue(e.contains("request_log.durability") && e.contains("batch, wal"), e);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        RequestLogConfig c = parse("""
                request_log:
                  store: postgres
                  bodies: metadata
                  max_body_bytes: 1024
                  postgres: {url: "jdbc:postgresql://db:5432/logs", user: aigw, password: "${PGPASS}"}
                  retention_days: 0
                  redact: [email, {name: ticket, regex: "TCK-[0-9]+"}, secret]
                  queue_capacity: 1000
                  batch_size: 50
                  flush_interval_ms: 20
                  spill_dir: /tmp/spill
                  drain_timeout_ms: 3000
                """);
        assertEquals(Store.POSTGRES, c.store());
        assertEquals(Bodies.METADATA, c.bodies());
        assertEquals(1024, c.maxBodyBytes());
        assertEquals("jdbc:postgresql://db:5432/logs", c.postgres().url());
        assertEquals("s3cret-pg", c.postgres().password());
        assertFalse(c.postgres().toString().contains("s3cret"), "the password never prints");
        assertEquals(Duration.ZERO, c.retention());
        assertEquals(List.of("email", "secret"), c.redactRules());
        assertEquals(Map.of("ticket", "TCK-[0-9]+"), c.customRedactions());
        assertEquals(1000, c.queueCapacity());
        assertEquals(50, c.batchSize());
        assertEquals(Duration.ofMillis(20), c.flushInterval());
        assertEquals(Path.of("/tmp/spill"), c.spillDir());
        assertEquals(Duration.ofMillis(3000), c.drainTimeout());
    }

    @Test
    void anEmptyRuleListTurnsRedactionOff() throws Exception {
        assertEquals(List.of(), parse("request_log: {redact: []}\n").redactRules());
        assertEquals(Store.OFF, parse("request_log: {store: off}\n").store());
        assertEquals(Store.STDOUT, parse("request_log: {store: stdout}\n").store());
    }

    @Test
    void mistakesNameTheKey() {
        assertEquals(
                "request_log.store: expected one of sqlite, postgres, stdout, off, got \"mysql\"",
                error("request_log: {store: mysql}\n"));
        assertEquals(
                "request_log.bodies: expected one of full, metadata, off, got \"some\"",
                error("request_log: {bodies: some}\n"));
        assertTrue(error("request_log: {redact: [emails]}\n")
                .startsWith("request_log.redact[0]: unknown rule \"emails\""));
        assertTrue(error("request_log: {redact: [{name: x, regex: \"([a-z\"}]}\n")
                .startsWith("request_log.redact[0].regex: not a valid regular expression"));
        assertEquals(
                "request_log.postgres.url: must start with jdbc:postgresql:",
                error("request_log: {store: postgres, postgres: {url: \"http://db\"}}\n"));
        assertTrue(error("request_log: {colour: red}\n").startsWith("request_log.colour: unknown key"));
    }
}
