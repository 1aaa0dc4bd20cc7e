package io.aigw.core.limits;

import java.util.Objects;

/**
 * A request's claim on one {@link Limit}: {@code cost} units (1 for a request, the estimated tokens for a
 * token limit or quota). A cost of 0 only reads a rate's or quota's state (for the {@code x-ratelimit-*}
 * headers); a cost above the limit is never allowed. A {@link Limit.Kind#PARALLEL} limit is claimed with a
 * lease id (unique per request, given back with {@link LimitStore#release}) and a cost of 1; the other kinds
 * have no lease.
 */
public record LimitCheck(Limit limit, long cost, String lease) {

    public LimitCheck {
        Objects.requireNonNull(limit, "limit");
        if (cost < 0) {
            throw new IllegalArgumentException("negative cost: " + cost);
        }
        switch (limit.kind()) {
            case RATE -> {
                if (cost > Limit.MAX_EXACT / limit.windowMillis()) {
                    throw new IllegalArgumentException("cost too large to count exactly: " + cost);
                }
            }
            case QUOTA -> {
                if (cost > Limit.MAX_QUOTA) {
                    throw new IllegalArgumentException("cost too large to count exactly: " + cost);
                }
            }
            case PARALLEL -> {
                if (cost != 1) {
                    throw new IllegalArgumentException("a parallel limit takes one lease, not " + cost);
                }
                if (lease == null || lease.isEmpty()) {
                    throw new IllegalArgumentException("a parallel limit needs a lease id: " + limit.scope());
                }
            }
        }
        if (limit.kind() != Limit.Kind.PARALLEL && lease != null) {
            throw new IllegalArgumentException("only a parallel limit takes a lease: " + limit.scope());
        }
    }

    public LimitCheck(Limit limit, long cost) {
        this(limit, cost, null);
    }
}
