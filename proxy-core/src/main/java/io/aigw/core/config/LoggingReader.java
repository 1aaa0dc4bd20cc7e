package io.aigw.core.config;

import java.util.List;
import java.util.Locale;

/** Reads the {@code logging:} block into a {@link LoggingConfig}. */
final class LoggingReader {
    static final List<String> KEYS = List.of("format", "access_log");

    private LoggingReader() {}

    static LoggingConfig read(ConfigNode n) throws ConfigException {
        n.mapping(KEYS);
        ConfigNode formatNode = n.child("format");
        String format = formatNode.string("text").trim().toLowerCase(Locale.ROOT);
        LoggingConfig.Format f = switch (format) {
            case "text" -> LoggingConfig.Format.TEXT;
            case "json" -> LoggingConfig.Format.JSON;
            default -> throw formatNode.error("expected one of text, json, got " + ConfigNode.quote(format));
        };
        return new LoggingConfig(f, n.child("access_log").bool(LoggingConfig.DEFAULTS.accessLog()));
    }
}
