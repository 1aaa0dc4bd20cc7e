package io.aigw.core.limits;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Rate limits, quotas and requests in flight, decided once per request without blocking the caller (the Netty event loop): the returned
 * stage completes later, on a thread of the store's choosing, and the caller resumes on its own loop.
 *
 * <p><b>Rates: GCRA</b> (the generic cell rate algorithm, a token bucket kept as one number). Each
 * (scope, window) holds a debt: the units taken and not yet refilled. Capacity {@code limit} refills
 * continuously at {@code limit / window}; a check of cost {@code c} fits when {@code debt + c ≤ limit}.
 * Chosen over a sliding window because it is exact with O(1) state (a sliding-window log stores every
 * request, a sliding-window counter approximates), takes any cost (one request or N tokens) and negative
 * corrections naturally, and gives the header values directly: remaining = {@code limit − debt},
 * reset = time for the debt to drain, retry-after = time until {@code debt + c ≤ limit}.
 *
 * <p>Guarantees: a fresh scope admits exactly {@code limit} units at once, then one more unit every
 * {@code window / limit}; over any interval of length t at most {@code limit + t × limit / window} units are
 * admitted (the burst plus the refill), never more. Arithmetic is in integers (units × milliseconds), so
 * "N allowed then refused" holds exactly.
 *
 * <p><b>Quotas</b> ({@link Limit.Kind#QUOTA}): a fixed calendar period (a UTC day or month) with no refill;
 * a check fits when {@code used + c ≤ limit}. The period is the {@link Limit}'s (the caller builds the
 * limit for the period it is in); its state has a key of its own, so the next period starts at zero, and
 * is kept until an hour after the period ended, so a replica whose clock lags still counts against it.
 * remaining = {@code limit − used}, reset = period end − the store's now, retry-after = reset.
 *
 * <p><b>Leases</b> ({@link Limit.Kind#PARALLEL}): requests in flight. A check holds its lease id until
 * {@link #release}d, or until the limit's lease time to live passed (a replica crashed holding it); it
 * fits when the leases held, expired ones dropped, plus one are at most {@code limit}. Taking a lease id
 * already held renews it and counts once. remaining = {@code limit − held}, reset = 0, retry-after = 1 s,
 * or less when the soonest lease expires sooner.
 *
 * <p>All checks of one {@link #acquire}, of every kind, are decided atomically: all fit and all are
 * charged (leases held), or nothing is charged and no lease is held.
 */
public interface LimitStore extends AutoCloseable {

    /**
     * Decides the checks together. Completes with the {@link Decision}, or exceptionally with {@link
     * LimitStoreUnavailableException} when the store cannot answer in time. Two checks of one call must not
     * name the same state (a rate's scope and window, a quota's scope and period, a scope's leases).
     */
    CompletionStage<Decision> acquire(List<LimitCheck> checks);

    /**
     * Adjusts a rate's debt or a quota's used units by {@code delta} units once the real usage is known:
     * negative gives back an over-estimate, positive charges an under-estimate (which may push either past
     * the limit, so later requests wait until it is repaid or the period ends). Neither goes below zero. Not for a {@link Limit.Kind#PARALLEL}
     * limit (fails with {@link IllegalArgumentException}).
     */
    CompletionStage<Void> correct(Limit limit, long delta);

    /**
     * Gives back the lease {@code lease} of the {@link Limit.Kind#PARALLEL} limit {@code parallel}; a lease
     * not held (already released, expired, or never acquired) is no error.
     */
    CompletionStage<Void> release(Limit parallel, String lease);

    /** Frees the store's resources; pending stages complete (exceptionally if need be). */
    @Override
    void close();
}
