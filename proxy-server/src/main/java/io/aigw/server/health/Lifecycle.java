package io.aigw.server.health;

/**
 * Where the server is in its life, for the probes: {@code /health} (liveness) fails only while
 * draining, {@code /readyz} is ready only in between. Written by the thread that starts or stops
 * the server, read by the event loops.
 */
public final class Lifecycle {
    /** The server's phase; it only moves forward. */
    public enum Phase {
        /** Opening the request log, binding: no traffic should be sent yet. */
        STARTING,
        /** Serving. */
        READY,
        /** A stop has begun: exchanges in flight finish, new ones should go elsewhere. */
        DRAINING
    }

    private volatile Phase phase = Phase.STARTING;

    public Phase phase() {
        return phase;
    }

    public void ready() {
        if (phase == Phase.STARTING) {
            phase = Phase.READY;
        }
    }

    public void draining() {
        phase = Phase.DRAINING;
    }
}
