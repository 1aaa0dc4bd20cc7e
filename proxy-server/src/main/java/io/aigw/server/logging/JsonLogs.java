package io.aigw.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import io.aigw.core.config.LoggingConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.format: json}: the console appenders of the root logger (those of
 * {@code conf/logback.xml}, or logback's default) write one JSON object per line with logback's own
 * {@link JsonEncoder}, the MDC ({@code request_id}, {@code trace_id}) and key-value pairs included.
 * Levels and other appenders of the logback file are kept as they are.
 */
public final class JsonLogs {
    private JsonLogs() {}

    /** Applies the config's format; returns false when the logging backend is not logback (nothing changed). */
    public static boolean apply(LoggingConfig config) {
        if (config.format() != LoggingConfig.Format.JSON) {
            return true;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return false;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<OutputStreamAppender<ILoggingEvent>> consoles = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
                consoles.add(console);
            }
        }
        if (consoles.isEmpty()) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setContext(context);
            console.setName("JSON");
            consoles.add(console);
            root.addAppender(console);
        }
        for (OutputStreamAppender<ILoggingEvent> appender : consoles) {
            // Stopped while the encoder changes, so no line is half one format, half the other.
            appender.stop();
            appender.setEncoder(encoder(context));
            appender.start();
        }
        return true;
    }

    /**
     * The encoder: timestamp, level, thread, logger, the formatted message, MDC, key-value pairs and
     * throwable. Left out: the context's properties and the message's raw pattern and arguments
     * (noise on every line; the formatted message says it once).
     */
    public static JsonEncoder encoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
