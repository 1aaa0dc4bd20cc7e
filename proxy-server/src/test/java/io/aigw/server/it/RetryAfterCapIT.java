package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import io.aigw.server.testing.VirtualTime;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A provider's Retry-After cannot take a deployment or a key out for longer than the breaker's
 * {@code max_retry_after_ms} (by default its {@code cooldown_ms}): one 429 asking for 11 days must
 * not cost 11 days.
 */
class RetryAfterCapIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String LIMITED =
            "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":null}}";
    static final Map<String, String> ELEVEN_DAYS = Map.of("retry-after", "999999");

    private static ProxyHarness proxy(String providerYaml, VirtualTime time) throws Exception {
        return ProxyHarness.startYaml(
                """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  p:
                %s
                models:
                  m:
                    retries: {count: 0}
                    providers: {p: {}}
                """.formatted(
                                ProxyHarness.KEY,
                                ProxyHarness.ADMIN_KEY,
                                providerYaml.indent(4).stripTrailing()),
                time);
    }

    private static JsonNode provider(ProxyHarness proxy) throws Exception {
        HttpResponse<String> r = proxy.adminGet("/admin/providers");
        assertEquals(200, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body()).get("providers").get(0);
    }

    private static long deploymentCooldownMs(ProxyHarness proxy) throws Exception {
        JsonNode d = provider(proxy).get("deployments").get(0);
        assertEquals("cooling", d.get("breaker").asText(), d.toString());
        return d.get("cooldown_remaining_ms").asLong();
    }

    @Test
    void aHugeRetryAfterCoolsTheDeploymentNoLongerThanTheBreakersCooldown() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = proxy("""
                        type: openai
                        base_url: "%s"
                        breaker: {cooldown_ms: 60000}""".formatted(p.baseUrl()), time)) {
            p.enqueue(Reply.json(429, LIMITED, ELEVEN_DAYS));
            assertEquals(429, proxy.post("/v1/chat/completions", CHAT).statusCode());
            long left = deploymentCooldownMs(proxy);
            assertTrue(left > 0 && left <= 60_000, "capped by cooldown_ms: " + left);
        }
    }

    @Test
    void maxRetryAfterMsCapsTheDeploymentsCooldown() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = proxy("""
                        type: openai
                        base_url: "%s"
                        breaker: {cooldown_ms: 600000, max_retry_after_ms: 5000}""".formatted(p.baseUrl()), time)) {
            p.enqueue(Reply.json(429, LIMITED, ELEVEN_DAYS));
            assertEquals(429, proxy.post("/v1/chat/completions", CHAT).statusCode());
            long left = deploymentCooldownMs(proxy);
            assertTrue(left > 0 && left <= 5_000, "capped by max_retry_after_ms: " + left);
            p.setDefault(req -> Reply.json(200, "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}"));
            time.advance(Duration.ofSeconds(6));
            assertEquals(200, proxy.post("/v1/chat/completions", CHAT).statusCode(), "back after the cap");
        }
    }

    @Test
    void aHugeRetryAfterCoolsAKeyNoLongerThanTheCap() throws Exception {
        VirtualTime time = new VirtualTime();
        try (TestUpstream p = TestUpstream.start();
                ProxyHarness proxy = proxy("""
                        type: openai
                        base_url: "%s"
                        api_keys: ["sk-key-number-one", "sk-key-number-two"]
                        key_strategy: priority
                        breaker: {max_retry_after_ms: 7000}""".formatted(p.baseUrl()), time)) {
            p.enqueue(Reply.json(429, LIMITED, ELEVEN_DAYS));
            p.enqueue(Reply.json(429, LIMITED, ELEVEN_DAYS));
            proxy.post("/v1/chat/completions", CHAT);
            JsonNode keys = provider(proxy).get("keys");
            for (JsonNode k : keys) {
                assertEquals("cooling", k.get("state").asText(), keys.toString());
                long left = k.get("cooldown_remaining_ms").asLong();
                assertTrue(left > 0 && left <= 7_000, "capped by max_retry_after_ms: " + keys);
            }
        }
    }
}
