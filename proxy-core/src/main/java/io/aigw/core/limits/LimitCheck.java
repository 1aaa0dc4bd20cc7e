package io.aigw.core.limits;

import java.util.Objects;

/**
 * A request's claim on one {@link Limit}: {@code cost} units (1 for a request, the estimated tokens for a
 * token limit). A cost of 0 only reads the limit's state (for the {@code x-ratelimit-*} headers); a cost
 * above the limit is never allowed.
 */
public record LimitCheck(Limit limit, long cost) {

    public LimitCheck {
        Objects.requireNonNull(limit, "limit");
        if (cost < 0) {
            throw new IllegalArgumentException("negative cost: " + cost);
        }
        if (cost > Limit.MAX_EXACT / limit.windowMillis()) {
            throw new IllegalArgumentException("cost too large to count exactly: " + cost);
        }
    }
}
