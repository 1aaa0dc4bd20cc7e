package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failing scenarios found in review of the routing-resilience and request-log change. */
class ReviewFindingsIT {
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";
    static final String LIMITED = "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":null}}";

    /**
     * Both keys of the only deployment answer 429 with a tiny retry-after-ms. Each key fault sends the
     * request to the same deployment with the other key, and such re-tries count against nothing but the
     * deadline: the two keys ping-pong until the route's timeout, one upstream call every few ms.
     * With retries: {count: 0}, two calls (one per key) is the most that should be made.
     */
    @Test
    void rateLimitedKeysDoNotPingPongUntilTheDeadline() throws Exception {
        try (TestUpstream p = TestUpstream.start();
             ProxyHarness proxy = ProxyHarness.startYaml("""
                     server: {host: 127.0.0.1, port: 0}
                     auth: {api_keys: ["%s"]}
                     providers:
                       p:
                         type: openai
                         base_url: "%s"
                         api_keys: ["sk-key-one", "sk-key-two"]
                         key_strategy: round_robin
                     models:
                       m:
                         retries: {count: 0}
                         timeout_ms: 1500
                         providers: {p: {}}
                     """.formatted(ProxyHarness.KEY, p.baseUrl()))) {
            p.setDefault(req -> Reply.delayed(Duration.ofMillis(5),
                    Reply.json(429, LIMITED, Map.of("retry-after-ms", "1"))));
            HttpResponse<String> r = proxy.post("/v1/chat/completions", CHAT);
            assertTrue(p.requestCount() <= 2, "upstream calls for one request with no retries: " + p.requestCount()
                    + " (answered " + r.statusCode() + ", x-proxy-attempts "
                    + r.headers().firstValue("x-proxy-attempts").orElse(null) + ")");
            assertEquals(429, r.statusCode(), r.body());
        }
    }
}
