package io.aigw.server.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import io.aigw.server.dialect.Dialects;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which changes a reload applies and which it names as needing a restart. */
class ConfigDiffTest {
    private static final String BASE = """
            server: {host: 127.0.0.1, port: 8080}
            auth: {api_keys: [sk-client-key-0123456789], admin_keys: [sk-admin-key-0123456789]}
            providers:
              a: {type: openai, base_url: "http://127.0.0.1:1/v1", api_key: sk-a}
            models:
              m: {providers: {a: {model_id: x}}}
            """;

    private static ProxyConfig parse(String yaml) throws Exception {
        return new ConfigLoader(Dialects.TYPES, Map.of()).parse(yaml, "test.yaml");
    }

    @Test
    void theSameFileChangesNothing() throws Exception {
        ConfigDiff diff = ConfigDiff.of(parse(BASE), parse(BASE));
        assertTrue(diff.isEmpty(), diff.toString());
        assertEquals(parse(BASE), diff.effective());
    }

    @Test
    void restartOnlySettingsAreNamedAndLeftAsTheyRunWhileTheRestApplies() throws Exception {
        ProxyConfig running = parse(BASE);
        ProxyConfig loaded =
                parse(BASE.replace("port: 8080}", "port: 9090, io_threads: 3}").replace("model_id: x", "model_id: y")
                        + "data_dir: /tmp/elsewhere\nrequest_log: {store: stdout}\nmetrics: {enabled: false}\n"
                        + "limits: {global: {rpm: 10}}\nlogging: {access_log: true}\nconfig_watch: true\n");
        ConfigDiff diff = ConfigDiff.of(running, loaded);
        assertEquals(List.of("models.m", "logging.access_log"), diff.changed());
        assertEquals(
                List.of(
                        "server.port",
                        "server.io_threads",
                        "data_dir",
                        "request_log.store",
                        "request_log.sqlite.path",
                        "request_log.spill_dir",
                        "metrics.enabled",
                        "limits.global",
                        "config_watch"),
                diff.restartRequired());
        ProxyConfig effective = diff.effective();
        assertEquals(running.server(), effective.server());
        assertEquals(running.dataDir(), effective.dataDir());
        assertEquals(running.requestLog(), effective.requestLog());
        assertEquals(running.limits(), effective.limits());
        assertEquals(loaded.models(), effective.models());
    }

    @Test
    void withARateLimiterTheLimitsFiguresApplyButNotItsStore() throws Exception {
        ProxyConfig running = parse(BASE + "limits: {global: {rpm: 10}}\n");
        ConfigDiff diff = ConfigDiff.of(
                running,
                parse(BASE + "limits: {store: redis, redis: {url: \"redis://10.0.0.1:6379\"}, global: {rpm: 20}}\n"),
                true);
        assertEquals(List.of("limits"), diff.changed());
        assertEquals(List.of("limits.store", "limits.redis"), diff.restartRequired());
        assertEquals(20, diff.effective().limits().global().rpm());
        assertEquals(running.limits().store(), diff.effective().limits().store());
        assertEquals(running.limits().redis(), diff.effective().limits().redis());
    }

    @Test
    void keysAndProvidersApplyButDroppingEveryClientKeyNeedsARestart() throws Exception {
        ProxyConfig running = parse(BASE);
        ConfigDiff rotated = ConfigDiff.of(
                running,
                parse(BASE.replace("sk-admin-key-0123456789", "sk-admin-key-9876543210")
                        .replace("api_key: sk-a}", "api_key: sk-a2}")));
        assertEquals(List.of("providers.a", "auth.admin_keys"), rotated.changed());
        assertEquals(List.of(), rotated.restartRequired());

        ConfigDiff dropped = ConfigDiff.of(running, parse(BASE.replace("api_keys: [sk-client-key-0123456789], ", "")));
        assertEquals(List.of("auth.api_keys"), dropped.restartRequired(), "the generated key comes only with a start");
        assertEquals(running.auth().apiKeyHashes(), dropped.effective().auth().apiKeyHashes());
        assertEquals(List.of(), dropped.changed());
    }

    @Test
    void requestLogBodiesCapRedactionAndRetentionApplyItsStoreQueueAndDurabilityNeedARestart() throws Exception {
        ProxyConfig running = parse(BASE);
        ProxyConfig loaded = parse(BASE
                + "request_log:\n  bodies: metadata\n  max_body_bytes: 1024\n  retention_days: 7\n"
                + "  durability: wal\n  queue_capacity: 128\n"
                + "  redact: [email, {name: ticket, regex: \"TCK-[0-9]+\"}]\n"
                + "logging: {access_log: true, format: json}\n");
        ConfigDiff diff = ConfigDiff.of(running, loaded);
        assertEquals(
                List.of(
                        "request_log.bodies",
                        "request_log.max_body_bytes",
                        "request_log.redact",
                        "request_log.retention_days",
                        "logging.access_log"),
                diff.changed());
        assertEquals(
                List.of("request_log.queue_capacity", "request_log.durability", "logging.format"),
                diff.restartRequired());
        RequestLogConfig effective = diff.effective().requestLog();
        assertEquals(RequestLogConfig.Bodies.METADATA, effective.bodies());
        assertEquals(1024, effective.maxBodyBytes());
        assertEquals(List.of("email"), effective.redactRules());
        assertEquals(Map.of("ticket", "TCK-[0-9]+"), effective.customRedactions());
        assertEquals(java.time.Duration.ofDays(7), effective.retention());
        assertEquals(running.requestLog().durability(), effective.durability());
        assertEquals(running.requestLog().queueCapacity(), effective.queueCapacity());
        assertEquals(running.requestLog().store(), effective.store());
        assertTrue(diff.effective().logging().accessLog());
        assertEquals(running.logging().format(), diff.effective().logging().format());

        // Reloading the same file again: the restart-only settings are still named, nothing more applies.
        ConfigDiff again = ConfigDiff.of(diff.effective(), loaded);
        assertEquals(List.of(), again.changed());
        assertEquals(diff.restartRequired(), again.restartRequired());
    }

    @Test
    void reorderingCustomRedactionRulesIsAChangeTheirOrderIsTheirRunOrder() throws Exception {
        String ab = "request_log: {redact: [{name: a, regex: \"x+\"}, {name: b, regex: \"xx\"}]}\n";
        String ba = "request_log: {redact: [{name: b, regex: \"xx\"}, {name: a, regex: \"x+\"}]}\n";
        ConfigDiff diff = ConfigDiff.of(parse(BASE + ab), parse(BASE + ba));
        assertEquals(List.of("request_log.redact"), diff.changed());
        assertEquals(List.of(), diff.restartRequired());
        assertEquals(
                List.of("b", "a"),
                List.copyOf(diff.effective().requestLog().customRedactions().keySet()));
    }

    @Test
    void withTheRequestLogOffEveryRequestLogChangeNeedsARestart() throws Exception {
        ProxyConfig running = parse(BASE + "request_log: {store: off}\n");
        ConfigDiff diff =
                ConfigDiff.of(running, parse(BASE + "request_log: {store: off, bodies: metadata, redact: []}\n"));
        assertEquals(List.of(), diff.changed(), "nothing is gathered: there is nothing to apply it to");
        assertEquals(List.of("request_log.bodies", "request_log.redact"), diff.restartRequired());
        assertEquals(running.requestLog(), diff.effective().requestLog());
    }
}
