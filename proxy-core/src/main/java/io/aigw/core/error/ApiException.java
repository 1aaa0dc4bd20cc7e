package io.aigw.core.error;

/** Carries an {@link ApiError} out of code that found a bad input; no stack trace is captured. */
public final class ApiException extends RuntimeException {
    private final ApiError error;

    public ApiException(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
