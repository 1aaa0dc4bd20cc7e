package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TracingConfigTest {
    private static final String BASE = "providers: {p: {type: openai, base_url: \"http://127.0.0.1:1/v1\"}}\n";
    private static final String SECRET = "Bearer otlp-s3cret-token";

    private static TracingConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(Set.of("openai"), Map.of("OTLP_AUTH", SECRET, "RATIO", "0.25"))
                .parse(BASE + yaml, "t.yaml")
                .tracing();
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void offByDefault() throws Exception {
        TracingConfig c = parse("");
        assertFalse(c.enabled());
        assertNull(c.otlpEndpoint());
        assertEquals(1.0, c.sampleRatio());
        assertEquals("aigw", c.serviceName());
        assertFalse(c.captureContent());
        assertFalse(parse("tracing: {otlp_endpoint: \"\"}\n").enabled());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        TracingConfig c = parse("""
                tracing:
                  otlp_endpoint: "http://127.0.0.1:4318/v1/traces"
                  sample_ratio: "${RATIO}"
                  service_name: edge-gw
                  headers: {Authorization: "${OTLP_AUTH}"}
                  capture_content: true
                """);
        assertTrue(c.enabled());
        assertEquals(URI.create("http://127.0.0.1:4318/v1/traces"), c.otlpEndpoint());
        assertEquals(0.25, c.sampleRatio());
        assertEquals("edge-gw", c.serviceName());
        assertEquals(Map.of("Authorization", SECRET), c.headers());
        assertTrue(c.captureContent());
        assertEquals(0.5, parse("tracing: {sample_ratio: 0.5}\n").sampleRatio());
        assertEquals(0.0, parse("tracing: {sample_ratio: 0}\n").sampleRatio());
    }

    @Test
    void headerValuesNeverReachAMessageOrToString() throws Exception {
        assertFalse(parse("tracing: {headers: {Authorization: \"${OTLP_AUTH}\"}}\n")
                .toString()
                .contains("s3cret"));
        String e = error("tracing: {headers: {Authorization: [\"" + SECRET + "\"]}}\n");
        assertTrue(e.startsWith("t.yaml: tracing.headers.Authorization:") || e.contains("tracing.headers"), e);
        assertFalse(e.contains("s3cret"), e);
        e = error("tracing: {headers: {\"X-Key\": \"a\\nb-s3cret\"}}\n");
        assertTrue(e.contains("line break"), e);
        assertFalse(e.contains("s3cret"), e);
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheKey() {
        assertTrue(error("tracing: {sample_ratio: 1.5}\n").contains("tracing.sample_ratio: must be between 0 and 1"));
        assertTrue(error("tracing: {sample_ratio: often}\n").contains("tracing.sample_ratio: expected a number"));
        assertTrue(error("tracing: {otlp_endpoint: \"collector:4318\"}\n")
                .contains("tracing.otlp_endpoint: not an absolute http(s) URL"));
        assertTrue(error("tracing: {service_name: \" \"}\n").contains("tracing.service_name: must not be empty"));
        assertTrue(error("tracing: {sampling: 1}\n").contains("tracing"));
        assertTrue(error("tracing: {headers: {\"bad name\": x}}\n").contains("not a valid HTTP header name"));
    }
}
