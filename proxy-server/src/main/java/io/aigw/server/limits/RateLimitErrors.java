package io.aigw.server.limits;

import io.aigw.core.error.ApiError;
import io.aigw.core.limits.Decision;
import io.aigw.core.limits.Limit;
import java.time.Instant;

/**
 * The 429 a refused request gets, worded as OpenAI words its own: {@code rate_limit_exceeded} with type
 * {@code requests} or {@code tokens}, or {@code insufficient_quota} for a spent quota. Messages name the
 * limit and the wait, never the key.
 */
final class RateLimitErrors {
    static final String RATE_LIMIT_EXCEEDED = "rate_limit_exceeded";
    static final String INSUFFICIENT_QUOTA = "insufficient_quota";

    private RateLimitErrors() {}

    /** The answer naming check {@code i} of the plan. */
    static ApiError of(RateLimitPlan plan, Decision decision, int i) {
        Decision.Result r = decision.results().get(i);
        LimitKind kind = plan.kinds()[i];
        LimitScope scope = plan.scopes()[i];
        String wait = RateLimitHeaders.duration(decision.retryAfter());
        if (kind.isQuota()) {
            Limit l = r.check().limit();
            return new ApiError(
                    429,
                    INSUFFICIENT_QUOTA,
                    INSUFFICIENT_QUOTA,
                    null,
                    "You exceeded the " + kind.words + " of " + scope.words + " (limit " + r.limit() + ", remaining "
                            + r.remaining() + ", requested " + r.check().cost() + "); it resets at "
                            + Instant.ofEpochMilli(l.periodEndMillis()) + ".");
        }
        if (kind == LimitKind.PARALLEL) {
            return new ApiError(
                    429,
                    "requests",
                    RATE_LIMIT_EXCEEDED,
                    null,
                    "Too many requests in flight on " + scope.words + ": limit " + r.limit()
                            + ". Please try again when one has finished.");
        }
        boolean tokens = kind == LimitKind.TPM;
        String requested = tokens ? ", requested " + r.check().cost() : "";
        return new ApiError(
                429,
                tokens ? "tokens" : "requests",
                RATE_LIMIT_EXCEEDED,
                null,
                "Rate limit reached for " + kind.words + " on " + scope.words + ": limit " + r.limit() + ", remaining "
                        + r.remaining() + requested + ". Please try again in " + wait + ".");
    }
}
