package io.aigw.core.limits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
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
            return 2 + 6 * checks.size();
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
            return 7;
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
            return 3;
        }
    }

    final List<Op> ops;
    final String[] keys;
    final String[] args;

    /** The pending deadline check while the batch is in flight. */
    volatile ScheduledFuture<?> timer;

    private final AtomicBoolean finished = new AtomicBoolean();

    /** True for the one caller that ends the batch's time in flight (its reply, or its last deadline). */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }

    boolean isFinished() {
        return finished.get();
    }

    /**
     * ARGV per operation: {@code a, n, n × (key index, kind, limit, window ms, cost, extra)}; {@code c, key
     * index, kind, limit, window ms, delta, extra}; {@code l, key index, lease}. Extra is a quota's period end
     * ms, a check's lease id, or empty.
     */
    RedisBatch(List<Op> ops, String prefix) {
        this.ops = ops;
        Map<String, Integer> index = new HashMap<>();
        List<String> keyList = new ArrayList<>();
        int argc = 0;
        for (Op op : ops) {
            argc += op.argCount();
        }
        String[] a = new String[argc];
        int at = 0;
        for (Op op : ops) {
            if (op instanceof Acquire q) {
                a[at++] = "a";
                a[at++] = Integer.toString(q.checks.size());
                for (LimitCheck c : q.checks) {
                    a[at++] = keyIndex(index, keyList, prefix, c.limit());
                    putLimit(a, at, c.limit(), c.cost(), c.lease());
                    at += 5;
                }
            } else if (op instanceof Correct c) {
                a[at++] = "c";
                a[at++] = keyIndex(index, keyList, prefix, c.limit);
                putLimit(a, at, c.limit, c.delta, null);
                at += 5;
            } else if (op instanceof Release r) {
                a[at++] = "l";
                a[at++] = keyIndex(index, keyList, prefix, r.limit);
                a[at++] = r.lease;
            }
        }
        this.keys = keyList.toArray(new String[0]);
        this.args = a;
    }

    private static String keyIndex(Map<String, Integer> index, List<String> keys, String prefix, Limit l) {
        String key = prefix + l.stateKey();
        Integer i = index.get(key);
        if (i == null) {
            keys.add(key);
            i = keys.size(); // Lua's KEYS start at 1
            index.put(key, i);
        }
        return Integer.toString(i);
    }

    /** One limit's five script arguments from {@code at}: kind, limit, window ms, cost (or delta), extra. */
    private static void putLimit(String[] args, int at, Limit l, long cost, String lease) {
        args[at] = switch (l.kind()) {
            case RATE -> "r";
            case QUOTA -> "q";
            case PARALLEL -> "p";
        };
        args[at + 1] = Long.toString(l.limit());
        args[at + 2] = Long.toString(l.windowMillis());
        args[at + 3] = Long.toString(cost);
        args[at + 4] = switch (l.kind()) {
            case RATE -> "";
            case QUOTA -> Long.toString(l.periodEndMillis());
            case PARALLEL -> lease;
        };
    }

    /**
     * Completes every operation from the script's reply: {@code now ms}, then per acquire in order {@code ok}
     * and per check {@code state before, lease held (0/1), ms until the others' soonest lease expires}.
     */
    void complete(List<Object> out) {
        long now = (Long) out.get(0);
        int at = 1;
        for (Op op : ops) {
            if (op instanceof Acquire q) {
                boolean allowed = ((Long) out.get(at)) == 1L;
                List<Decision.Result> results = new ArrayList<>(q.checks.size());
                for (int i = 0; i < q.checks.size(); i++) {
                    LimitCheck c = q.checks.get(i);
                    int b = at + 1 + 3 * i;
                    long before = (Long) out.get(b);
                    results.add(
                            switch (c.limit().kind()) {
                                case RATE -> Gcra.result(c, before, allowed);
                                case QUOTA -> Quotas.result(c, before, allowed, now);
                                case PARALLEL ->
                                    Leases.result(
                                            c, before, (Long) out.get(b + 1) == 1L, (Long) out.get(b + 2), allowed);
                            });
                }
                at += 1 + 3 * q.checks.size();
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
