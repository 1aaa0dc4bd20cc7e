package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An error about a value that came from the environment names the reference, never the value: a
 * secret variable put under the wrong key (a port, a strategy) must not reach the log line of a
 * refused start or the admin answer of a refused reload.
 */
class SubstitutedValueEchoTest {
    private static final String SECRET = "sk-live-openai-0123456789abcdef";
    private static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", SECRET, "PORT", "80x");

    private static String error(String yaml) {
        String m = assertThrows(
                        ConfigException.class, () -> new ConfigLoader(Set.of("openai"), ENV).parse(yaml, "test.yaml"))
                .getMessage();
        assertFalse(m.contains(SECRET), m);
        assertFalse(m.contains("sk-live"), m);
        return m;
    }

    @Test
    void aWrongTypedSecretIsNamedByItsReference() {
        assertEquals(
                "server.port: expected an integer, got \"${OPENAI_API_KEY}\" (from the environment)",
                error("server: {port: \"${OPENAI_API_KEY}\"}\n"));
        assertEquals(
                "server.port: expected an integer, got \"${PORT}\" (from the environment)",
                error("server: {port: \"${PORT}\"}\n"));
    }

    @Test
    void aSecretInAnEnumeratedSettingIsNamedByItsReference() {
        assertEquals(
                "logging.format: expected one of text, json, got \" ${OPENAI_API_KEY} \" (from the environment)",
                error("logging: {format: \" ${OPENAI_API_KEY} \"}\n"));
        String m = error("providers:\n  openai:\n    type: openai\n    base_url: https://api.openai.com/v1\n"
                + "    key_strategy: \"x-${OPENAI_API_KEY}\"\n");
        assertEquals(
                "providers.openai.key_strategy: expected round_robin, priority or least_used,"
                        + " got \"x-${OPENAI_API_KEY}\" (from the environment)",
                m);
    }

    @Test
    void aLiteralValueIsStillEchoed() {
        assertEquals("server.port: expected an integer, got \"eighty\"", error("server: {port: \"eighty\"}\n"));
    }
}
