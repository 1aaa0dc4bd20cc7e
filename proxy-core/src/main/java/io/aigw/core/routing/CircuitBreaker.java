package io.aigw.core.routing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-deployment circuit breaker, lock-free (one {@link AtomicReference} to an immutable snapshot, updated by
 * CAS) so it can be called from any number of event loops.
 *
 * <ul>
 *   <li>CLOSED: admits everything; {@code failures} consecutive failures open it.</li>
 *   <li>OPEN: refuses everything until the cooldown has elapsed; then it reports HALF_OPEN.</li>
 *   <li>HALF_OPEN: admits exactly one probe at a time; the probe's success closes the breaker, its failure
 *       reopens it with a fresh cooldown. {@link #release()} gives the probe slot back without a verdict
 *       (e.g. the request was cancelled).</li>
 *   <li>COOLING: a 429 with Retry-After ({@link #coolFor}); refuses everything until the wait is over, does not
 *       count toward opening.</li>
 *   <li>DISABLED: forced open by an operator ({@link #disable()}).</li>
 * </ul>
 * {@link #enable()} forces the breaker closed: it admits everything and never opens or cools until
 * {@link #reset()} (or {@link #disable()}). {@link #reset()} returns to a fresh CLOSED breaker without override.
 *
 * <p>Outcomes that arrive while OPEN (not half-open) with no probe outstanding come from calls admitted before
 * the breaker opened; they are ignored so a late reply cannot close or extend an open breaker.
 *
 * <p>All times are {@link Clock#nanoTime()} values; comparisons use subtraction so wrap-around is harmless.
 */
public final class CircuitBreaker {

    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN,
        COOLING,
        DISABLED
    }

    private enum Forced {
        NONE,
        FORCED_OPEN,
        FORCED_CLOSED
    }

    private enum Phase {
        CLOSED,
        OPEN,
        COOLING
    }

    /** Immutable snapshot; {@code until} is meaningful in OPEN and COOLING only. */
    private record Snap(Forced override, Phase phase, int failures, long until, boolean probing) {}

    private static final Snap FRESH = new Snap(Forced.NONE, Phase.CLOSED, 0, 0L, false);

    private final BreakerPolicy policy;
    private final long cooldownNanos;
    private final AtomicReference<Snap> ref = new AtomicReference<>(FRESH);

    private CircuitBreaker(BreakerPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.cooldownNanos = policy.cooldownNanos();
    }

    public static CircuitBreaker of(BreakerPolicy policy) {
        return new CircuitBreaker(policy);
    }

    public static CircuitBreaker withDefaults() {
        return new CircuitBreaker(BreakerPolicy.defaults());
    }

    public BreakerPolicy policy() {
        return policy;
    }

    /**
     * A breaker under another policy that starts where this one is now (failures, open or cooling
     * deadline, operator override): a config reload that changes a deployment's breaker settings
     * must not close a breaker that is open. A half-open probe outstanding stays with this one.
     */
    public CircuitBreaker withPolicy(BreakerPolicy newPolicy) {
        CircuitBreaker next = new CircuitBreaker(newPolicy);
        Snap s = ref.get();
        next.ref.set(new Snap(s.override, s.phase, s.failures, s.until, false));
        return next;
    }

    private static boolean before(long now, long until) {
        return now - until < 0;
    }

    /**
     * Admits a call. In HALF_OPEN the first caller takes the single probe slot; others are refused until the
     * probe reports through {@link #onSuccess}, {@link #onFailure} or {@link #release}.
     */
    public boolean tryAcquire(long now) {
        for (; ; ) {
            Snap s = ref.get();
            switch (s.override) {
                case FORCED_OPEN:
                    return false;
                case FORCED_CLOSED:
                    return true;
                default:
                    break;
            }
            switch (s.phase) {
                case CLOSED:
                    return true;
                case COOLING:
                    return !before(now, s.until);
                case OPEN:
                default:
                    if (before(now, s.until) || s.probing) {
                        return false;
                    }
                    if (ref.compareAndSet(s, new Snap(s.override, s.phase, s.failures, s.until, true))) {
                        return true;
                    }
            }
        }
    }

    /** Whether {@link #tryAcquire} would admit a call now, without taking the probe slot. */
    public boolean isAvailable(long now) {
        Snap s = ref.get();
        if (s.override == Forced.FORCED_OPEN) {
            return false;
        }
        if (s.override == Forced.FORCED_CLOSED) {
            return true;
        }
        return switch (s.phase) {
            case CLOSED -> true;
            case COOLING -> !before(now, s.until);
            case OPEN -> !before(now, s.until) && !s.probing;
        };
    }

    public void onSuccess(long now) {
        for (; ; ) {
            Snap s = ref.get();
            Snap next;
            if (s.override != Forced.NONE || s.phase == Phase.CLOSED) {
                if (s.failures == 0) {
                    return;
                }
                next = new Snap(s.override, s.phase, 0, s.until, s.probing);
            } else if (s.phase == Phase.OPEN) {
                if (!s.probing) {
                    return; // late reply to a call admitted before the breaker opened
                }
                next = FRESH;
            } else { // COOLING
                next = before(now, s.until) ? new Snap(s.override, s.phase, 0, s.until, false) : FRESH;
                if (next.equals(s)) {
                    return;
                }
            }
            if (ref.compareAndSet(s, next)) {
                return;
            }
        }
    }

    public void onFailure(long now) {
        for (; ; ) {
            Snap s = ref.get();
            Snap next;
            if (s.override == Forced.FORCED_OPEN) {
                return;
            } else if (s.override == Forced.FORCED_CLOSED) {
                next = new Snap(s.override, s.phase, sat(s.failures + 1), s.until, s.probing);
            } else if (s.phase == Phase.OPEN) {
                if (!s.probing) {
                    return; // late reply to a call admitted before the breaker opened
                }
                next = new Snap(Forced.NONE, Phase.OPEN, sat(s.failures + 1), now + cooldownNanos, false);
            } else {
                int failures = sat(s.failures + 1);
                if (failures >= policy.failures()) {
                    next = new Snap(Forced.NONE, Phase.OPEN, failures, now + cooldownNanos, false);
                } else if (s.phase == Phase.COOLING && before(now, s.until)) {
                    next = new Snap(Forced.NONE, Phase.COOLING, failures, s.until, false);
                } else {
                    next = new Snap(Forced.NONE, Phase.CLOSED, failures, 0L, false);
                }
            }
            if (ref.compareAndSet(s, next)) {
                return;
            }
        }
    }

    /**
     * A 429 with Retry-After: refuse calls for {@code nanos} from {@code now}, without counting a failure.
     * An open breaker stays open (if the cooling would last longer, the open period is extended to match),
     * a half-open probe that got a 429 gives its slot back. Ignored while an override is active. The wait
     * is cut to the policy's {@code maxRetryAfter}: a provider's word alone must not bench it for days.
     */
    public void coolFor(long nanos, long now) {
        long until = now + Math.min(Math.max(0L, nanos), policy.maxRetryAfterNanos());
        for (; ; ) {
            Snap s = ref.get();
            Snap next;
            if (s.override != Forced.NONE) {
                return;
            } else if (s.phase == Phase.OPEN) {
                long newUntil = before(s.until, until) ? until : s.until;
                next = new Snap(s.override, Phase.OPEN, s.failures, newUntil, false);
            } else if (s.phase == Phase.COOLING && before(now, s.until) && !before(s.until, until)) {
                return; // already cooling at least that long
            } else {
                next = new Snap(Forced.NONE, Phase.COOLING, s.failures, until, false);
            }
            if (ref.compareAndSet(s, next)) {
                return;
            }
        }
    }

    /** Gives back the half-open probe slot without a verdict (cancelled request). No-op otherwise. */
    public void release() {
        for (; ; ) {
            Snap s = ref.get();
            if (!s.probing) {
                return;
            }
            if (ref.compareAndSet(s, new Snap(s.override, s.phase, s.failures, s.until, false))) {
                return;
            }
        }
    }

    public State state(long now) {
        Snap s = ref.get();
        if (s.override == Forced.FORCED_OPEN) {
            return State.DISABLED;
        }
        if (s.override == Forced.FORCED_CLOSED) {
            return State.CLOSED;
        }
        return switch (s.phase) {
            case CLOSED -> State.CLOSED;
            case COOLING -> before(now, s.until) ? State.COOLING : State.CLOSED;
            case OPEN -> before(now, s.until) ? State.OPEN : State.HALF_OPEN;
        };
    }

    /**
     * Time left in OPEN or COOLING; 0 when calls are admitted (or in HALF_OPEN); {@link Long#MAX_VALUE} when
     * DISABLED.
     */
    public long remainingNanos(long now) {
        Snap s = ref.get();
        if (s.override == Forced.FORCED_OPEN) {
            return Long.MAX_VALUE;
        }
        if (s.override == Forced.FORCED_CLOSED || s.phase == Phase.CLOSED) {
            return 0L;
        }
        return Math.max(0L, s.until - now);
    }

    public int consecutiveFailures() {
        return ref.get().failures;
    }

    /** Whether a half-open probe is outstanding. */
    public boolean probeInFlight() {
        return ref.get().probing;
    }

    /** Force-open: refuse every call until {@link #enable()} or {@link #reset()}. */
    public void disable() {
        ref.set(new Snap(Forced.FORCED_OPEN, Phase.CLOSED, 0, 0L, false));
    }

    /** Force-closed: admit every call, never open or cool, until {@link #disable()} or {@link #reset()}. */
    public void enable() {
        ref.set(new Snap(Forced.FORCED_CLOSED, Phase.CLOSED, 0, 0L, false));
    }

    /** Back to a fresh CLOSED breaker with no failures and no override. */
    public void reset() {
        ref.set(FRESH);
    }

    private static int sat(int v) {
        return v < 0 ? Integer.MAX_VALUE : v;
    }

    @Override
    public String toString() {
        Snap s = ref.get();
        return "CircuitBreaker" + s;
    }
}
