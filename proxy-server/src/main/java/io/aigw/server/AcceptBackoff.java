package io.aigw.server;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When accepting fails (most often EMFILE, "Too many open files"), the connection stays in the
 * kernel's backlog and the listening socket stays readable: accepting again at once would spin.
 * Accepting pauses instead (autoRead off), for 10 ms doubling up to 1 s while failures go on, and
 * back to 10 ms after the next success. Netty's own acceptor would pause a fixed second and log a
 * warning with a stack trace each time; here it is one line a minute with a count.
 *
 * <p>Used on the accepting loop only. Everything it needs is loaded at start: with no descriptor
 * left, a class that is not loaded yet may not be loadable either.
 */
final class AcceptBackoff implements Runnable {
    static final long FIRST_PAUSE_MILLIS = 10;
    static final long LONGEST_PAUSE_MILLIS = 1000;
    private static final Logger log = LoggerFactory.getLogger(AcceptBackoff.class);

    private final WarnPerMinute warning = new WarnPerMinute(
            log, "cannot accept connections: {} ({} time(s) since the last such line); pausing accepts");
    private long nextPauseMillis = FIRST_PAUSE_MILLIS;
    private Channel listening;

    void failed(Channel listening, Throwable cause) {
        this.listening = listening;
        warning.warn(String.valueOf(cause.getMessage()));
        if (!listening.config().isAutoRead()) {
            return; // already paused
        }
        listening.config().setAutoRead(false);
        long pause = nextPauseMillis;
        nextPauseMillis = Math.min(LONGEST_PAUSE_MILLIS, nextPauseMillis * 2);
        listening.eventLoop().schedule(this, pause, TimeUnit.MILLISECONDS);
    }

    /** The pause is over: accept again (and fail again, pausing longer, if nothing was freed). */
    @Override
    public void run() {
        listening.config().setAutoRead(true);
    }

    void accepted() {
        nextPauseMillis = FIRST_PAUSE_MILLIS;
    }
}
