package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoggingConfigTest {
    private static final String BASE = "providers: {p: {type: openai, base_url: \"http://127.0.0.1:1/v1\"}}\n";

    private static LoggingConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(Set.of("openai"), Map.of("FMT", "json"))
                .parse(BASE + yaml, "t.yaml")
                .logging();
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void defaultsAreTextWithoutAccessLog() throws Exception {
        assertEquals(LoggingConfig.DEFAULTS, parse(""));
        assertEquals(new LoggingConfig(LoggingConfig.Format.TEXT, false), parse("logging: {}\n"));
    }

    @Test
    void readsFormatAndAccessLog() throws Exception {
        assertEquals(
                new LoggingConfig(LoggingConfig.Format.JSON, true),
                parse("logging: {format: json, access_log: true}\n"));
        assertEquals(new LoggingConfig(LoggingConfig.Format.JSON, false), parse("logging: {format: \"${FMT}\"}\n"));
    }

    @Test
    void mistakesNameTheKey() {
        assertEquals("logging.format: expected one of text, json, got \"xml\"", error("logging: {format: xml}\n"));
        assertEquals(
                "logging.access_log: expected true or false, got \"maybe\"", error("logging: {access_log: maybe}\n"));
        assertEquals("logging.colour: unknown key (known: format, access_log)", error("logging: {colour: red}\n"));
    }
}
