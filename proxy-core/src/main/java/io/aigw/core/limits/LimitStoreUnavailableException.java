package io.aigw.core.limits;

/**
 * The store could not decide in time (Redis unreachable, slow past its timeout, or failing): not a
 * refusal. The caller applies its {@code fail_open} / {@code fail_closed} policy.
 */
public final class LimitStoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LimitStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
