package io.aigw.server;

import org.slf4j.Logger;

/**
 * A warning that can repeat thousands of times a second (accept failures, refused connections) is
 * logged at most once a minute, with how many times it happened since the last line.
 */
public final class WarnPerMinute {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final Logger log;
    private final String message;
    private long lastLoggedNanos;
    private boolean loggedOnce;
    private long unlogged;

    /** @param message the line, with one {@code {}} for the detail and one for the count */
    public WarnPerMinute(Logger log, String message) {
        this.log = log;
        this.message = message;
    }

    public synchronized void warn(String detail) {
        unlogged++;
        long now = System.nanoTime();
        if (loggedOnce && now - lastLoggedNanos < MINUTE_NANOS) {
            return;
        }
        log.warn(message, detail, unlogged);
        loggedOnce = true;
        lastLoggedNanos = now;
        unlogged = 0;
    }
}
