package io.aigw.core.config;

/**
 * The {@code logging:} block.
 *
 * @param format how log lines are written on standard output
 * @param accessLog one line per exchange on the {@code aigw.access} logger
 */
public record LoggingConfig(Format format, boolean accessLog) {
    public static final LoggingConfig DEFAULTS = new LoggingConfig(Format.TEXT, false);

    /** {@code logging.format}. */
    public enum Format {
        /** The pattern of {@code conf/logback.xml} (or whatever logback file the JVM was given). */
        TEXT,
        /** One JSON object per line, with the exchange's {@code request_id} and {@code trace_id}. */
        JSON
    }
}
