package io.aigw.server.health;

import java.util.Map;

/**
 * One dependency {@code /readyz} reports on (the request log's store; later Redis). Called on an
 * event loop for every probe: it reads state its dependency's own threads keep, never does I/O.
 */
public interface ReadinessCheck {
    /** A dependency's state. */
    enum Status {
        UP,
        DOWN,
        /** Not configured: nothing to check. */
        OFF
    }

    /**
     * @param details a few words about the dependency ({@code store: postgres}); never a secret
     */
    record Result(Status status, Map<String, String> details) {}

    /** The key under {@code checks} ({@code request_log}). */
    String name();

    /**
     * Whether the gateway cannot serve without it: one that is down makes {@code /readyz} answer 503
     * {@code not_ready}; a dependency that is not critical only makes it {@code degraded} (still 200).
     */
    default boolean critical() {
        return false;
    }

    Result check();
}
