package io.aigw.server.trace;

import io.aigw.server.exchange.Attempt;

/**
 * What a CLIENT span says about one upstream attempt, copied from the {@link Attempt} on the event
 * loop when the exchange completes, so the exporter thread reads nothing the loop may still touch.
 */
final class TracedAttempt {
    final int number;
    final String deployment;
    final String providerType;
    final String modelId;
    final int keyIndex;
    final String serverAddress;
    final String spanId;
    final long startNanos;
    /** -1 when the exchange ended with the attempt still open (a cut): it ends with the exchange. */
    final long endNanos;

    final int statusCode;
    final Attempt.Outcome outcome;
    /** The failure's configured class ({@code timeout}, {@code status}...), else its error code, else null. */
    final String errorType;

    TracedAttempt(Attempt a) {
        number = a.number();
        deployment = a.deployment();
        providerType = a.providerType();
        modelId = a.modelId();
        keyIndex = a.keyIndex();
        serverAddress = a.serverAddress();
        spanId = a.spanId();
        startNanos = a.startNanos();
        endNanos = a.outcome() == Attempt.Outcome.PENDING ? -1 : a.endNanos();
        statusCode = a.statusCode();
        outcome = a.outcome() == Attempt.Outcome.PENDING ? Attempt.Outcome.CANCELLED : a.outcome();
        errorType = a.failureClass() != null ? a.failureClass().configName() : a.errorCode();
    }

    String outcomeName() {
        return switch (outcome) {
            case PENDING -> "pending";
            case ANSWERED -> "answered";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
        };
    }

    /** {@code error.type} of a failed attempt: its class, its code, or {@code _OTHER}. */
    String failedErrorType() {
        return errorType != null ? errorType : "_OTHER";
    }

    /** What went wrong, for the event of the attempt after this one: {@code none} when nothing did. */
    String errorTypeOrNone() {
        if (errorType != null) {
            return errorType;
        }
        return outcome == Attempt.Outcome.FAILED ? "_OTHER" : "none";
    }
}
