package io.aigw.core.limits;

import io.aigw.core.routing.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link LimitStore} in this process ({@code limits.store: local}): one small bucket per (scope, window)
 * in a concurrent map, each guarded by its own monitor held only for a few arithmetic operations (no I/O),
 * so the stage is already complete when {@link #acquire} returns. A request's buckets are locked in key
 * order, which makes its checks atomic without deadlock.
 *
 * <p>Memory is bounded by the scopes active within the last window: a bucket whose debt has drained is
 * the same as no bucket, and {@link #evictIdle()} removes those (run inline at most once per sweep
 * interval, or by the owner). A bucket is marked dead under its lock before removal, so a request that
 * found it just before retries with a fresh one instead of charging a bucket no longer in the map.
 */
public final class LocalLimitStore implements LimitStore {

    private final Clock clock;
    private final long sweepEveryNanos;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    public LocalLimitStore() {
        this(Clock.system(), Duration.ofSeconds(10));
    }

    /**
     * @param clock the time source (virtual in tests)
     * @param sweepEvery how often an acquire also evicts drained buckets
     */
    public LocalLimitStore(Clock clock, Duration sweepEvery) {
        this.clock = clock;
        this.sweepEveryNanos = sweepEvery.toNanos();
        this.lastSweep = new AtomicLong(clock.nanoTime());
    }

    /** One (scope, window)'s debt in units × window-ms, and when it was last brought up to date. */
    private static final class Bucket {
        final String key;
        long limit;
        long debt;
        long updatedNanos;
        boolean dead;

        Bucket(String key, long limit, long now) {
            this.key = key;
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
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing(i -> checks.get(i).limit().stateKey()));
        while (true) {
            long now = clock.nanoTime();
            Bucket[] held = new Bucket[n];
            Decision d = lockAndDecide(checks, order, held, 0, now);
            if (d != null) {
                return d;
            }
            // A bucket was evicted between lookup and lock: look up again.
        }
    }

    /** Locks the buckets recursively (synchronized blocks nest), decides once all are held; null to retry. */
    private Decision lockAndDecide(List<LimitCheck> checks, Integer[] order, Bucket[] held, int depth, long now) {
        if (depth == order.length) {
            return decideHeld(checks, held, now);
        }
        int i = order[depth];
        Limit l = checks.get(i).limit();
        Bucket b = buckets.computeIfAbsent(l.stateKey(), k -> new Bucket(k, l.limit(), now));
        synchronized (b) {
            if (b.dead) {
                return null;
            }
            held[i] = b;
            return lockAndDecide(checks, order, held, depth + 1, now);
        }
    }

    private static Decision decideHeld(List<LimitCheck> checks, Bucket[] held, long now) {
        int n = checks.size();
        long[] before = new long[n];
        boolean allowed = true;
        for (int i = 0; i < n; i++) {
            LimitCheck c = checks.get(i);
            before[i] = held[i].debtAt(now, c.limit().limit());
            allowed &= Gcra.fits(before[i], c);
        }
        List<Decision.Result> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LimitCheck c = checks.get(i);
            if (allowed) {
                held[i].debt = Gcra.charged(before[i], c);
            }
            results.add(Gcra.result(c, before[i], allowed));
        }
        return new Decision(allowed, results);
    }

    @Override
    public CompletionStage<Void> correct(Limit limit, long delta) {
        while (true) {
            long now = clock.nanoTime();
            Bucket b = buckets.computeIfAbsent(limit.stateKey(), k -> new Bucket(k, limit.limit(), now));
            synchronized (b) {
                if (b.dead) {
                    continue;
                }
                try {
                    b.debt = Gcra.corrected(b.debtAt(now, limit.limit()), delta, limit);
                } catch (IllegalArgumentException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return CompletableFuture.completedFuture(null);
            }
        }
    }

    private void maybeSweep() {
        long last = lastSweep.get();
        long now = clock.nanoTime();
        if (now - last >= sweepEveryNanos && lastSweep.compareAndSet(last, now)) {
            evictIdle();
        }
    }

    /** Removes the buckets whose debt has drained; returns how many. */
    public int evictIdle() {
        long now = clock.nanoTime();
        int removed = 0;
        for (Bucket b : buckets.values()) {
            synchronized (b) {
                if (!b.dead && b.debtAt(now, b.limit) == 0) {
                    b.dead = true;
                    buckets.remove(b.key, b);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** How many buckets are held (for tests and metrics). */
    public int size() {
        return buckets.size();
    }

    @Override
    public void close() {
        buckets.clear();
    }
}
