package io.aigw.core.limits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Operations sent to Redis together in one call of {@link RedisLimitStore#SCRIPT}: their distinct keys (each
 * once in KEYS, the arguments refer to them by index) and their arguments in queue order, and the split of
 * the script's reply back to each operation's future.
 */
final class RedisBatch {

    /**
     * One queued acquire, correction or release, with the future its caller holds and the time (System.nanoTime)
     * after which it may no longer be waited for.
     */
    abstract static sealed class Op permits Acquire, Correct, Release {
        final long deadlineNanos;

        Op(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        abstract CompletableFuture<?> future();

        /** How many script arguments it takes (a bound for the batch's budget). */
        abstract int argCount();
    }

    static final class Acquire extends Op {
        final List<LimitCheck> checks;
        final CompletableFuture<Decision> future = new CompletableFuture<>();

        Acquire(List<LimitCheck> checks, long deadlineNanos) {
            super(deadlineNanos);
            this.checks = checks;
        }

        @Override
        CompletableFuture<?> future() {
            return future;
        }

        @Override
        int argCount() {
            return 2 + 7 * checks.size(); // its checks' own and, at most, their limits' arguments
        }
    }

    static final class Correct extends Op {
        final Limit limit;
        final long delta;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Correct(Limit limit, long delta, long deadlineNanos) {
            super(deadlineNanos);
            this.limit = limit;
            this.delta = delta;
        }

        @Override
        CompletableFuture<?> future() {
            return future;
        }

        @Override
        int argCount() {
            return 8;
        }
    }

    static final class Release extends Op {
        final Limit limit;
        final String lease;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Release(Limit limit, String lease, long deadlineNanos) {
            super(deadlineNanos);
            this.limit = limit;
            this.lease = lease;
        }

        @Override
        CompletableFuture<?> future() {
            return future;
        }

        @Override
        int argCount() {
            return 8;
        }
    }

    final List<Op> ops;
    final String[] keys;
    final String[] args;

    /** Cancels the pending deadline check while the batch is in flight (null: none). */
    volatile Runnable timer;

    private final AtomicBoolean finished = new AtomicBoolean();

    /** True for the one caller that ends the batch's time in flight (its reply, or its last deadline). */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }

    boolean isFinished() {
        return finished.get();
    }

    /**
     * ARGV: the number of limits, then per limit {@code key index, kind, limit, window ms, extra} (extra: a
     * quota's period end ms, else empty), each distinct limit once; then per operation {@code a, n, n × (limit
     * index, cost or, for leases, the lease id)}; {@code c, limit index, delta}; {@code l, limit index,
     * lease}. Few arguments per operation: Redis's work per operation is mostly reading them.
     */
    RedisBatch(List<Op> ops, String prefix) {
        this.ops = ops;
        Map<String, Integer> keyIndex = new HashMap<>();
        List<String> keyList = new ArrayList<>();
        Map<Limit, Integer> limitIndex = new HashMap<>();
        List<String> limits = new ArrayList<>();
        List<String> body = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Acquire q) {
                body.add("a");
                body.add(Integer.toString(q.checks.size()));
                for (LimitCheck c : q.checks) {
                    body.add(limitIndex(limitIndex, limits, keyIndex, keyList, prefix, c.limit()));
                    body.add(c.limit().kind() == Limit.Kind.PARALLEL ? c.lease() : Long.toString(c.cost()));
                }
            } else if (op instanceof Correct c) {
                body.add("c");
                body.add(limitIndex(limitIndex, limits, keyIndex, keyList, prefix, c.limit));
                body.add(Long.toString(c.delta));
            } else if (op instanceof Release r) {
                body.add("l");
                body.add(limitIndex(limitIndex, limits, keyIndex, keyList, prefix, r.limit));
                body.add(r.lease);
            }
        }
        String[] a = new String[1 + limits.size() + body.size()];
        a[0] = Integer.toString(limits.size() / 5);
        int at = 1;
        for (String x : limits) {
            a[at++] = x;
        }
        for (String x : body) {
            a[at++] = x;
        }
        this.keys = keyList.toArray(new String[0]);
        this.args = a;
    }

    /** The 1-based index of {@code l}'s five arguments (added on first use), its key added likewise. */
    private static String limitIndex(
            Map<Limit, Integer> index,
            List<String> limits,
            Map<String, Integer> keyIndex,
            List<String> keys,
            String prefix,
            Limit l) {
        Integer i = index.get(l);
        if (i == null) {
            String key = prefix + l.stateKey();
            Integer k = keyIndex.get(key);
            if (k == null) {
                keys.add(key);
                k = keys.size(); // Lua's KEYS start at 1
                keyIndex.put(key, k);
            }
            limits.add(Integer.toString(k));
            limits.add(
                    switch (l.kind()) {
                        case RATE -> "r";
                        case QUOTA -> "q";
                        case PARALLEL -> "p";
                    });
            limits.add(Long.toString(l.limit()));
            limits.add(Long.toString(l.windowMillis()));
            limits.add(l.kind() == Limit.Kind.QUOTA ? Long.toString(l.periodEndMillis()) : "");
            i = limits.size() / 5;
            index.put(l, i);
        }
        return Integer.toString(i);
    }

    /**
     * Completes every operation from the script's reply: {@code now ms}, then per acquire in order {@code ok}
     * and per check its state before (a rate's debt, a quota's used units, the others' leases), and for a lease
     * also {@code lease held (0/1), ms until the others' soonest lease expires (-1: none)}.
     */
    void complete(List<Object> out) {
        long now = (Long) out.get(0);
        int at = 1;
        for (Op op : ops) {
            if (op instanceof Acquire q) {
                boolean allowed = ((Long) out.get(at++)) == 1L;
                List<Decision.Result> results = new ArrayList<>(q.checks.size());
                for (LimitCheck c : q.checks) {
                    long before = (Long) out.get(at++);
                    results.add(
                            switch (c.limit().kind()) {
                                case RATE -> Gcra.result(c, before, allowed);
                                case QUOTA -> Quotas.result(c, before, allowed, now);
                                case PARALLEL -> {
                                    boolean held = (Long) out.get(at++) == 1L;
                                    yield Leases.result(c, before, held, (Long) out.get(at++), allowed);
                                }
                            });
                }
                q.future.complete(new Decision(allowed, results));
            } else {
                op.future().complete(null);
            }
        }
    }

    void fail(Throwable e) {
        for (Op op : ops) {
            op.future().completeExceptionally(e);
        }
    }
}
