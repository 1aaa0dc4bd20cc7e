package io.aigw.server.admin;

import io.aigw.core.config.ConfigLoader;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.routing.DeploymentState;
import io.aigw.server.dialect.Dialects;
import io.aigw.server.routing.Routing;
import io.aigw.server.routing.Waits;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Routing state for two providers, on a clock that moves only when told; shared by the admin unit tests. */
final class AdminFixture {
    static final String KEY_1 = "sk-a-secret-one";
    static final String KEY_2 = "sk-a-secret-two";

    final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 1_000_000_000_000L); // wraps during the tests
    final Routing routing;
    final AdminProviders providers;

    AdminFixture() throws Exception {
        ProxyConfig config =
                new ConfigLoader(Dialects.TYPES, Map.of()).parse("""
                auth: {api_keys: ["sk-client-long-enough-key"]}
                upstream: {breaker: {failures: 3, cooldown_ms: 600000}}
                providers:
                  a: {type: openai, base_url: "http://127.0.0.1:9/v1", api_keys: ["%s", "%s"], key_strategy: priority}
                  b: {type: anthropic, base_url: "http://127.0.0.1:9"}
                  idle: {type: openai, base_url: "http://127.0.0.1:9/v1"}
                models:
                  m:
                    providers:
                      a: {priority: 0, model_id: a-model}
                      b: {priority: 1, weight: 2, model_id: b-model}
                  solo:
                    providers:
                      a: {model_id: a-solo}
                  "b/*":
                    providers:
                      b: {}
                """.formatted(KEY_1, KEY_2), "admin-test.yaml");
        routing = Routing.of(config, now::get, Waits.scheduled());
        providers = new AdminProviders(config, routing);
    }

    AdminProviders.Provider provider(String name) {
        return providers.get(name).orElseThrow();
    }

    /** The deployment of {@code model} on {@code provider}. */
    DeploymentState deployment(String provider, String model) {
        return provider(provider).deployments().stream()
                .filter(d -> d.model().equals(model))
                .findFirst()
                .orElseThrow()
                .state();
    }
}
