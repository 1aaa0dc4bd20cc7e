package io.aigw.server.limits;

import io.aigw.core.exchange.Usage;
import io.aigw.core.limits.Decision;
import io.aigw.core.limits.Limit;
import io.aigw.core.limits.LimitCheck;
import io.aigw.core.limits.LimitStore;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * How the limiter decided one exchange: the plan, the decision, and the store that made it (the shared one,
 * or this process's own after a fail-open), so the headers of the answer describe it and the corrections
 * and releases go where the charges went. Confined to the exchange's event loop.
 */
public final class Admission {
    private final RateLimitPlan plan;
    private final Decision decision;
    private final LimitStore store;
    private final RateLimiter limiter;
    private boolean settled;

    Admission(RateLimitPlan plan, Decision decision, LimitStore store, RateLimiter limiter) {
        this.plan = plan;
        this.decision = decision;
        this.store = store;
        this.limiter = limiter;
        this.settled = !decision.allowed(); // a refusal charged nothing
    }

    public boolean allowed() {
        return decision.allowed();
    }

    /** The {@code x-ratelimit-*} headers of the answer. */
    public void addHeaders(HttpHeaders headers) {
        RateLimitHeaders.add(headers, plan, decision);
    }

    /**
     * The exchange is over: token charges are corrected to what it used and its in-flight leases freed.
     *
     * @param usage the usage the provider reported ({@link Usage#NONE} when none)
     * @param answered whether a provider answered with success (else nothing was used: an upstream error
     *     or a refusal costs no tokens), meaningful only when the usage is unknown
     */
    public void settle(Usage usage, boolean answered) {
        if (settled) {
            return;
        }
        settled = true;
        long used = used(usage, answered);
        for (int i = 0; i < plan.size(); i++) {
            LimitCheck c = plan.checks().get(i);
            LimitKind kind = plan.kinds()[i];
            if (kind == LimitKind.PARALLEL) {
                limiter.release(store, c.limit(), c.lease());
            } else if (kind.countsTokens() && used >= 0 && used != c.cost()) {
                limiter.correct(store, c.limit(), used - c.cost());
            }
        }
    }

    /** Admitted, but the exchange ended before it was served (the client left): everything is given back. */
    void giveBack() {
        if (settled) {
            return;
        }
        settled = true;
        for (int i = 0; i < plan.size(); i++) {
            LimitCheck c = plan.checks().get(i);
            Limit l = c.limit();
            switch (plan.kinds()[i]) {
                case PARALLEL -> limiter.release(store, l, c.lease());
                case RPM -> limiter.correct(store, l, -1);
                default -> limiter.correct(store, l, -c.cost());
            }
        }
    }

    /**
     * The tokens the exchange used: the reported total (or prompt + completion); 0 when no provider
     * answered with success; -1 (keep the estimate) when it is unknown, as for a stream the client left.
     */
    static long used(Usage usage, boolean answered) {
        if (usage.totalTokens() >= 0) {
            return usage.totalTokens();
        }
        if (usage.promptTokens() >= 0) {
            return usage.promptTokens() + Math.max(0, usage.completionTokens());
        }
        return answered ? -1 : 0;
    }
}
