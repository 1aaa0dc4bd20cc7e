package io.aigw.core.routing;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * How one upstream attempt failed, which decides whether another attempt (failover or a retry round)
 * may follow. A route retries the classes in its {@code retry_on}; {@link #TOO_LARGE} and
 * {@link #PROTOCOL} would only fail again and are never retried.
 */
public enum FailureClass {
    /** Before the request was fully written (connect, DNS, TLS, pool, reset during the write): nothing ran upstream. */
    CONNECT_ERROR("connect_error", true),
    /** The provider answered 408, 409, 429 or 5xx: a complete answer. */
    STATUS("status", true),
    /** No first byte in time after the request was written, or an idle/total timeout before the client got anything. */
    TIMEOUT("timeout", true),
    /** The connection closed after the request was written, before the answer was complete. */
    CUT("cut", true),
    /** The answer is over the size limit: it would be again. */
    TOO_LARGE("too_large", false),
    /** A 101 or other unexpected 1xx, or malformed HTTP: the provider does not speak our HTTP. */
    PROTOCOL("protocol", false);

    /**
     * What a route retries unless it says otherwise: failures that cannot have run the request, and
     * complete refusals. A timeout or a cut may leave the provider running (and billing) the request,
     * so retrying those is opt-in.
     */
    public static final Set<FailureClass> DEFAULT_RETRY_ON =
            Collections.unmodifiableSet(EnumSet.of(CONNECT_ERROR, STATUS));

    private final String configName;
    private final boolean retryable;

    FailureClass(String configName, boolean retryable) {
        this.configName = configName;
        this.retryable = retryable;
    }

    /** The name in {@code retry_on}. */
    public String configName() {
        return configName;
    }

    /** Whether a route may list it in {@code retry_on}. */
    public boolean retryable() {
        return retryable;
    }
}
