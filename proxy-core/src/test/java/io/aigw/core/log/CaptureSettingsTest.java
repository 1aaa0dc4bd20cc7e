package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A record is rendered with the redaction rules it was captured under, not the writer's own. */
class CaptureSettingsTest {
    private static RequestLogConfig config(Store store, Bodies bodies, List<String> rules, Map<String, String> custom) {
        RequestLogConfig d = RequestLogConfig.defaults(Path.of("data"));
        return new RequestLogConfig(
                store,
                bodies,
                4096,
                d.sqlitePath(),
                null,
                d.retention(),
                rules,
                custom,
                d.queueCapacity(),
                d.batchSize(),
                d.flushInterval(),
                d.spillDir(),
                d.drainTimeout(),
                d.durability());
    }

    private static ExchangeRecord record(String content) {
        ExchangeRecord r = new ExchangeRecord();
        r.tsEpochMillis = 1_700_000_000_000L;
        r.requestId = "req";
        r.endpoint = "/v1/chat/completions";
        r.statusCode = 200;
        r.requestBody = ("{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        return r;
    }

    @Test
    void whatIsGatheredFollowsTheStoreAndBodies() {
        CaptureSettings off = CaptureSettings.of(config(Store.OFF, Bodies.FULL, List.of(), Map.of()));
        assertNull(off.bodies());
        assertFalse(off.keepsBodies());
        CaptureSettings metadata = CaptureSettings.of(config(Store.SQLITE, Bodies.METADATA, List.of(), Map.of()));
        assertEquals(Bodies.METADATA, metadata.bodies());
        assertFalse(metadata.keepsBodies());
        CaptureSettings full = CaptureSettings.of(config(Store.SQLITE, Bodies.FULL, List.of(), Map.of()));
        assertTrue(full.keepsBodies());
        assertEquals(4096, full.maxBodyBytes());
    }

    @Test
    void aRuleThatDoesNotCompileIsRefusedWhenTheSettingsAreBuilt() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> CaptureSettings.of(config(Store.SQLITE, Bodies.FULL, List.of(), Map.of("ticket", "TCK-[0-9"))));
        assertTrue(e.getMessage().contains("ticket"), e.getMessage());
    }

    @Test
    void aRecordIsRedactedByTheRulesItWasCapturedUnder() {
        RowRenderer writers = new RowRenderer(Redactor.none());
        CaptureSettings withTicket =
                CaptureSettings.of(config(Store.SQLITE, Bodies.FULL, List.of("email"), Map.of("ticket", "TCK-[0-9]+")));

        ExchangeRecord captured = record("TCK-42 for bob@example.com");
        captured.capture = withTicket;
        String redacted = writers.renderCaptured(captured).requestBody();
        assertTrue(redacted.contains("[REDACTED:ticket]") && redacted.contains("[REDACTED:email]"), redacted);
        assertFalse(redacted.contains("TCK-42") || redacted.contains("bob@example.com"), redacted);

        ExchangeRecord without = record("TCK-42 for bob@example.com");
        String plain = writers.renderCaptured(without).requestBody();
        assertTrue(plain.contains("TCK-42") && plain.contains("bob@example.com"), "the writer's own rules: " + plain);
    }
}
