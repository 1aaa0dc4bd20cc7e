package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.config.LimitsConfig.KeyLimits;
import io.aigw.core.config.LimitsConfig.Rates;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LimitsConfigTest {
    private static final String BASE = "providers: {p: {type: openai, base_url: \"http://127.0.0.1:1/v1\"}}\n";
    private static final String PASSWORD = "r3dis-s3cret-pw";

    private static LimitsConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(Set.of("openai"), Map.of("REDIS_URL", "redis://:" + PASSWORD + "@10.0.0.5:6380/2"))
                .parse(BASE + yaml, "t.yaml")
                .limits();
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void noLimitsByDefault() throws Exception {
        LimitsConfig c = parse("");
        assertEquals(LimitsConfig.NONE, c);
        assertFalse(c.anyConfigured());
        assertEquals(LimitsConfig.Store.LOCAL, c.store());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        LimitsConfig c = parse("""
                limits:
                  store: redis
                  redis: {url: "${REDIS_URL}", prefix: "{gw}:", timeout_ms: 80, on_failure: fail_closed, cluster: true}
                  global: {rpm: 10000, tpm: 2000000}
                  per_ip: {rpm: 600}
                  key_defaults: {rpm: 60, tpm: 40000, max_parallel: 4, token_quota_daily: 100000, token_quota_monthly: 2000000}
                  default_max_tokens: 1000
                """);
        assertEquals(LimitsConfig.Store.REDIS, c.store());
        assertEquals("redis://:" + PASSWORD + "@10.0.0.5:6380/2", c.redis().url());
        assertFalse(c.toString().contains(PASSWORD), "a config printed shows no Redis password");
        assertEquals("{gw}:", c.redis().prefix());
        assertEquals(Duration.ofMillis(80), c.redis().timeout());
        assertFalse(c.redis().failOpen());
        assertTrue(c.redis().cluster());
        assertEquals(new Rates(10000, 2000000), c.global());
        assertEquals(new Rates(600, 0), c.perIp());
        assertEquals(new KeyLimits(60, 40000, 4, 100000, 2000000), c.keyDefaults());
        assertEquals(1000, c.defaultMaxTokens());
        assertTrue(c.anyConfigured());
    }

    @Test
    void redisDefaultsAreFailOpenOnLocalhost() throws Exception {
        LimitsConfig c = parse("limits: {store: redis}\n");
        assertEquals(LimitsConfig.Redis.DEFAULT, c.redis());
        assertTrue(c.redis().failOpen());
        assertFalse(c.anyConfigured());
    }

    @Test
    void mistakesAreRefusedWithTheirPath() {
        assertTrue(error("limits: {store: memcached}\n").contains("limits.store"));
        assertTrue(error("limits: {redis: {url: \"redis://x\"}}\n").contains("store is local"));
        assertTrue(error("limits: {store: redis, redis: {on_failure: maybe}}\n").contains("limits.redis.on_failure"));
        assertTrue(error("limits: {global: {rpm: -1}}\n").contains("limits.global.rpm"));
        assertTrue(error("limits: {key_defaults: {rps: 5}}\n").contains("rps"));
        assertTrue(error("limits: {store: redis, redis: {cluster: true, prefix: \"plain:\"}}\n")
                .contains("hash tag"));
        assertTrue(error("limits: {default_max_tokens: 0}\n").contains("limits.default_max_tokens"));
    }

    @Test
    void aBadRedisUrlIsNamedButNeverEchoed() {
        String m = error("limits: {store: redis, redis: {url: \"http://:" + PASSWORD + "@host\"}}\n");
        assertTrue(m.contains("limits.redis.url"), m);
        assertFalse(m.contains(PASSWORD), m);
    }
}
