package io.aigw.server.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
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
        assertEquals(List.of("models.m"), diff.changed());
        assertEquals(
                List.of(
                        "server.port",
                        "server.io_threads",
                        "data_dir",
                        "request_log.store",
                        "request_log.sqlite_path",
                        "request_log.spill_dir",
                        "metrics.enabled",
                        "logging.access_log",
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
}
