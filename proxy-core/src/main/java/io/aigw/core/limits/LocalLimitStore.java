package io.aigw.core.limits;

import io.aigw.core.routing.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link LimitStore} in this process ({@code limits.store: local}): one small state per limit (a rate's
 * bucket, a quota period's count, a scope's leases) in a concurrent map, each guarded by its own monitor
 * held only for a few arithmetic operations (no I/O), so the stage is already complete when {@link #acquire}
 * returns. A request's states are locked in key order, which makes its checks atomic without deadlock.
 *
 * <p>Memory is bounded by the scopes active lately: a drained bucket, a quota period with nothing used or
 * past its grace, and a scope with no lease held are the same as no state, and {@link #evictIdle()} removes
 * those (run inline at most once per sweep interval, or by the owner). A state is marked dead under its
 * lock before removal, so a request that found it just before retries with a fresh one instead of charging
 * a state no longer in the map.
 *
 * <p>Rates and leases run on the monotonic {@link Clock}; a quota's reset is measured on the wall clock
 * (its period end is a calendar instant).
 */
public final class LocalLimitStore implements LimitStore {

    private final Clock clock;
    private final LongSupplier wallMillis;
    private final long sweepEveryNanos;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    public LocalLimitStore() {
        this(Clock.system(), Duration.ofSeconds(10), System::currentTimeMillis);
    }

    /**
     * A store whose wall clock follows {@code clock} from the real wall time at construction (so a virtual
     * clock moves both).
     *
     * @param clock the time source (virtual in tests)
     * @param sweepEvery how often an acquire also evicts idle states
     */
    public LocalLimitStore(Clock clock, Duration sweepEvery) {
        this(clock, sweepEvery, followingWallClock(clock));
    }

    /**
     * @param clock the monotonic time source for rates and leases (virtual in tests)
     * @param sweepEvery how often an acquire also evicts idle states
     * @param wallMillis the wall clock (epoch ms) that quota periods end on
     */
    public LocalLimitStore(Clock clock, Duration sweepEvery, LongSupplier wallMillis) {
        this.clock = clock;
        this.wallMillis = wallMillis;
        this.sweepEveryNanos = sweepEvery.toNanos();
        this.lastSweep = new AtomicLong(clock.nanoTime());
    }

    private static LongSupplier followingWallClock(Clock clock) {
        long wall = System.currentTimeMillis();
        long nanos = clock.nanoTime();
        return () -> wall + Math.floorDiv(clock.nanoTime() - nanos, 1_000_000L);
    }

    /** One limit's state; {@code dead} once removed from the map. */
    private abstract static class State {
        final String key;
        boolean dead;

        State(String key) {
            this.key = key;
        }

        /** Whether this state means the same as no state (so it may be dropped). */
        abstract boolean idle(long nowNanos, long nowMillis);
    }

    /** One (scope, window)'s debt in units × window-ms, and when it was last brought up to date. */
    private static final class Rate extends State {
        long limit;
        long debt;
        long updatedNanos;

        Rate(String key, long limit, long now) {
            super(key);
            this.limit = limit;
            this.updatedNanos = now;
        }

        /** Brings the debt up to {@code now}, keeping the sub-millisecond remainder for the next time. */
        long debtAt(long now, long limit) {
            this.limit = limit;
            long elapsedMs = (now - updatedNanos) / 1_000_000L;
            if (elapsedMs > 0) {
                debt = Gcra.decay(debt, elapsedMs, limit);
                updatedNanos += elapsedMs * 1_000_000L;
            }
            return debt;
        }

        @Override
        boolean idle(long nowNanos, long nowMillis) {
            return debtAt(nowNanos, limit) == 0;
        }
    }

    /** One quota period's used units; forgotten (as in Redis) once the period's grace is over. */
    private static final class Quota extends State {
        final long expiresAtMillis;
        long used;

        Quota(String key, Limit l) {
            super(key);
            this.expiresAtMillis = Quotas.expiresAtMillis(l);
        }

        long usedAt(long nowMillis) {
            if (nowMillis >= expiresAtMillis) {
                used = 0;
            }
            return used;
        }

        @Override
        boolean idle(long nowNanos, long nowMillis) {
            return usedAt(nowMillis) == 0;
        }
    }

    /** One scope's leases held: lease id → expiry (nanos). */
    private static final class Leased extends State {
        final Map<String, Long> expiries = new HashMap<>();

        Leased(String key) {
            super(key);
        }

        void dropExpired(long now) {
            expiries.values().removeIf(e -> e - now <= 0);
        }

        @Override
        boolean idle(long nowNanos, long nowMillis) {
            dropExpired(nowNanos);
            return expiries.isEmpty();
        }
    }

    private static State newState(String key, Limit l, long now) {
        return switch (l.kind()) {
            case RATE -> new Rate(key, l.limit(), now);
            case QUOTA -> new Quota(key, l);
            case PARALLEL -> new Leased(key);
        };
    }

    @Override
    public CompletionStage<Decision> acquire(List<LimitCheck> checks) {
        try {
            Gcra.requireDistinct(checks);
            Decision d = decide(checks);
            maybeSweep();
            return CompletableFuture.completedFuture(d);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Decision decide(List<LimitCheck> checks) {
        int n = checks.size();
        // Lock order: by state key, whatever the order of the checks.
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            // Insertion sort: a request has a handful of checks, and this allocates nothing.
            String key = checks.get(i).limit().stateKey();
            int j = i;
            while (j > 0 && checks.get(order[j - 1]).limit().stateKey().compareTo(key) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        while (true) {
            long now = clock.nanoTime();
            State[] held = new State[n];
            Decision d = lockAndDecide(checks, order, held, 0, now);
            if (d != null) {
                return d;
            }
            // A state was evicted between lookup and lock: look up again.
        }
    }

    /** Locks the states recursively (synchronized blocks nest), decides once all are held; null to retry. */
    private Decision lockAndDecide(List<LimitCheck> checks, int[] order, State[] held, int depth, long now) {
        if (depth == order.length) {
            return decideHeld(checks, held, now, wallMillis.getAsLong());
        }
        int i = order[depth];
        Limit l = checks.get(i).limit();
        State s = states.get(l.stateKey()); // no capturing lambda when the state exists, as it mostly does
        if (s == null) {
            s = states.computeIfAbsent(l.stateKey(), k -> newState(k, l, now));
        }
        synchronized (s) {
            if (s.dead) {
                return null;
            }
            held[i] = s;
            return lockAndDecide(checks, order, held, depth + 1, now);
        }
    }

    private static Decision decideHeld(List<LimitCheck> checks, State[] held, long now, long nowMillis) {
        int n = checks.size();
        long[] before = new long[n];
        boolean[] leaseHeld = new boolean[n];
        long[] soonestMs = new long[n];
        boolean allowed = true;
        for (int i = 0; i < n; i++) {
            LimitCheck c = checks.get(i);
            switch (c.limit().kind()) {
                case RATE -> {
                    before[i] = ((Rate) held[i]).debtAt(now, c.limit().limit());
                    allowed &= Gcra.fits(before[i], c);
                }
                case QUOTA -> {
                    before[i] = ((Quota) held[i]).usedAt(nowMillis);
                    allowed &= Quotas.fits(before[i], c);
                }
                case PARALLEL -> {
                    Leased leased = (Leased) held[i];
                    leased.dropExpired(now);
                    leaseHeld[i] = leased.expiries.containsKey(c.lease());
                    before[i] = leased.expiries.size() - (leaseHeld[i] ? 1 : 0);
                    soonestMs[i] = soonestOther(leased, c.lease(), now);
                    allowed &= Leases.fits(c, before[i], leaseHeld[i]);
                }
            }
        }
        List<Decision.Result> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LimitCheck c = checks.get(i);
            switch (c.limit().kind()) {
                case RATE -> {
                    if (allowed) {
                        ((Rate) held[i]).debt = Gcra.charged(before[i], c);
                    }
                    results.add(Gcra.result(c, before[i], allowed));
                }
                case QUOTA -> {
                    if (allowed) {
                        ((Quota) held[i]).used = before[i] + c.cost();
                    }
                    results.add(Quotas.result(c, before[i], allowed, nowMillis));
                }
                case PARALLEL -> {
                    if (allowed) {
                        ((Leased) held[i])
                                .expiries.put(
                                        c.lease(), now + c.limit().window().toNanos());
                    }
                    results.add(Leases.result(c, before[i], leaseHeld[i], soonestMs[i], allowed));
                }
            }
        }
        return new Decision(allowed, results);
    }

    /** Milliseconds (rounded up) until the soonest lease other than {@code lease} expires; -1 if none. */
    private static long soonestOther(Leased leased, String lease, long now) {
        long soonest = -1;
        for (Map.Entry<String, Long> e : leased.expiries.entrySet()) {
            if (!e.getKey().equals(lease)) {
                long ms = (e.getValue() - now + 999_999) / 1_000_000L;
                soonest = soonest < 0 ? ms : Math.min(soonest, ms);
            }
        }
        return soonest;
    }

    @Override
    public CompletionStage<Void> correct(Limit limit, long delta) {
        if (limit.kind() == Limit.Kind.PARALLEL) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("a parallel limit is released, not corrected: " + limit.scope()));
        }
        while (true) {
            long now = clock.nanoTime();
            State s = states.computeIfAbsent(limit.stateKey(), k -> newState(k, limit, now));
            synchronized (s) {
                if (s.dead) {
                    continue;
                }
                try {
                    if (s instanceof Rate r) {
                        r.debt = Gcra.corrected(r.debtAt(now, limit.limit()), delta, limit);
                    } else {
                        Quota q = (Quota) s;
                        q.used = Quotas.corrected(q.usedAt(wallMillis.getAsLong()), delta);
                    }
                } catch (IllegalArgumentException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return CompletableFuture.completedFuture(null);
            }
        }
    }

    @Override
    public CompletionStage<Void> release(Limit parallel, String lease) {
        if (parallel.kind() != Limit.Kind.PARALLEL) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("only a parallel limit has leases: " + parallel.scope()));
        }
        State s = states.get(parallel.stateKey());
        if (s != null) {
            synchronized (s) {
                // A dead state held no lease worth keeping: nothing to do either way.
                ((Leased) s).expiries.remove(lease);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private void maybeSweep() {
        long last = lastSweep.get();
        long now = clock.nanoTime();
        if (now - last >= sweepEveryNanos && lastSweep.compareAndSet(last, now)) {
            evictIdle();
        }
    }

    /** Removes the states that mean the same as none; returns how many. */
    public int evictIdle() {
        long now = clock.nanoTime();
        long nowMillis = wallMillis.getAsLong();
        int removed = 0;
        for (State s : states.values()) {
            synchronized (s) {
                if (!s.dead && s.idle(now, nowMillis)) {
                    s.dead = true;
                    states.remove(s.key, s);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** How many states are held (for tests and metrics). */
    public int size() {
        return states.size();
    }

    @Override
    public void close() {
        states.clear();
    }
}
