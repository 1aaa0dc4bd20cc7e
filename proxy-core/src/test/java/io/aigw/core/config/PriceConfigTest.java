package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.cost.Price;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A deployment's {@code price: {input, output, cached_input}} override (USD per million tokens). */
class PriceConfigTest {
    private static final String PREFIX = """
            providers:
              az: {type: azure, base_url: "https://x.openai.azure.com", api_key: k, api_version: "2024-10-21"}
              openai: {type: openai, base_url: "https://api.openai.com/v1"}
            models:
              m:
                providers:
                  az:
            """;

    private static ProxyConfig parse(String deployment, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(Set.of("openai", "azure"), env).parse(PREFIX + deployment.indent(8), "test.yaml");
    }

    private static Deployment deployment(String yaml) throws ConfigException {
        return parse(yaml, Map.of()).models().get("m").deployments().get(0);
    }

    private static String error(String yaml) {
        String message =
                assertThrows(ConfigException.class, () -> parse(yaml, Map.of())).getMessage();
        assertFalse(message.contains("\n"), message);
        return message;
    }

    @Test
    void aPriceIsReadInUsdPerMillionTokens() throws Exception {
        Deployment d = deployment("model_id: my-gpt4o-deployment\nprice: {input: 2.5, output: 10, cached_input: 1.25}");
        assertEquals(new Price(2.5, 10, 1.25), d.price());
        assertEquals("my-gpt4o-deployment", d.modelId());
    }

    @Test
    void cachedInputDefaultsToInput() throws Exception {
        assertEquals(
                new Price(3, 15, 3), deployment("price: {input: 3, output: 15}").price());
    }

    @Test
    void zeroIsAPrice() throws Exception {
        assertEquals(
                new Price(0, 0, 0), deployment("price: {input: 0, output: 0}").price());
    }

    @Test
    void noPriceIsNull() throws Exception {
        assertNull(deployment("model_id: x").price());
    }

    @Test
    void aPriceMayComeFromTheEnvironment() throws Exception {
        Deployment d = parse("price: {input: \"${IN}\", output: \"${OUT:-8}\"}", Map.of("IN", "0.4"))
                .models()
                .get("m")
                .deployments()
                .get(0);
        assertEquals(new Price(0.4, 8, 0.4), d.price());
    }

    @Test
    void aWildcardRouteMayHaveAPrice() throws Exception {
        ProxyConfig c = new ConfigLoader(Set.of("openai"), Map.of()).parse("""
                        providers: {openai: {type: openai, base_url: "https://api.openai.com/v1"}}
                        models:
                          "openai/*": {providers: {openai: {price: {input: 1, output: 2}}}}
                        """, "test.yaml");
        Deployment d = c.models().get("openai/*").deployments().get(0);
        assertEquals(new Price(1, 2, 1), d.withModelId("gpt-4o").price(), "carried to the requested model");
    }

    @Test
    void badPricesNameTheirPath() {
        String at = "models.m.providers.az.price";
        assertEquals(
                at + ".input: must be a number of at least 0 (USD per million tokens), got -1.0",
                error("price: {input: -1, output: 10}"));
        assertEquals(at + ".output: missing (USD per million tokens)", error("price: {input: 1}"));
        assertEquals(at + ".input: missing (USD per million tokens)", error("price: {output: 1}"));
        assertEquals(
                at + ".cached_input: expected a number, got \"cheap\"",
                error("price: {input: 1, output: 2, cached_input: cheap}"));
        assertEquals(
                at + ".cached_input: must be a number of at least 0 (USD per million tokens), got NaN",
                error("price: {input: 1, output: 2, cached_input: \"NaN\"}"));
        assertEquals(
                at + ".output: must be a number of at least 0 (USD per million tokens), got Infinity",
                error("price: {input: 1, output: \"Infinity\"}"));
        assertEquals(
                at + ".cache: unknown key (known: input, output, cached_input)",
                error("price: {input: 1, output: 2, cache: 1}"));
        assertEquals(
                at + ": expected a mapping {input, output, cached_input} (USD per million tokens)",
                error("price: 2.5"));
    }
}
