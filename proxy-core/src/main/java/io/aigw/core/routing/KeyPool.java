package io.aigw.core.routing;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProviderConfig.KeyStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The API keys of one provider, each with its own health, and the choice of one per request.
 *
 * <p>A key is <em>usable</em> unless it was {@linkplain #remove removed} (a 401/403: out until
 * {@link #reset()}) or is {@linkplain #coolFor cooling} (a 429 with Retry-After: out until the
 * deadline passes). {@link #pick} returns a usable key by the provider's {@link KeyStrategy}, or
 * null when none is usable.
 *
 * <p>Lock-free: every state change is an atomic, so the pool is shared by all event loops. Time is
 * always passed in as {@link System#nanoTime()}-style nanoseconds (compared by difference, so the
 * origin and wrap-around do not matter), which keeps tests deterministic.
 *
 * <p>A pool may be empty (a provider without a key, such as a local Ollama): {@link #pick} then
 * returns null and {@link #size()} is 0, which the caller reads as "send no credential".
 */
public final class KeyPool {
    private final String provider;
    private final KeyStrategy strategy;
    private final Key[] keys;
    private final List<Key> keyList;
    /** Round-robin position, also the tie-break start for least_used. */
    private final AtomicInteger next = new AtomicInteger();
    /** The longest a {@link #coolFor} may keep a key out, whatever the provider asked. */
    private final long maxCoolNanos;

    /** Without a cap on cooldowns. */
    public KeyPool(String provider, List<String> keyValues, KeyStrategy strategy) {
        this(provider, keyValues, strategy, Long.MAX_VALUE);
    }

    public KeyPool(String provider, List<String> keyValues, KeyStrategy strategy, long maxCoolNanos) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.maxCoolNanos = maxCoolNanos;
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        List<Key> list = new ArrayList<>(keyValues.size());
        for (int i = 0; i < keyValues.size(); i++) {
            String value = keyValues.get(i);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(provider + ": key " + i + " is empty");
            }
            list.add(new Key(provider, i, value));
        }
        this.keys = list.toArray(new Key[0]);
        this.keyList = List.copyOf(list);
    }

    /**
     * The pool of a configured provider: its {@code api_keys} and {@code key_strategy}; a cooldown is capped
     * by its {@code breaker.max_retry_after_ms}.
     */
    public static KeyPool of(ProviderConfig provider) {
        return new KeyPool(
                provider.name(),
                provider.apiKeys(),
                provider.keyStrategy(),
                BreakerPolicy.saturatedNanos(provider.upstream().breakerMaxRetryAfter()));
    }

    public String provider() {
        return provider;
    }

    /**
     * Whether this pool is what {@code provider} (a reloaded config's) would build: same keys in the
     * same order, strategy and cooldown cap. Then a reload keeps this very pool, in-flight counts too.
     */
    public boolean sameAs(ProviderConfig provider) {
        List<String> values = provider.apiKeys();
        if (!provider.name().equals(this.provider)
                || provider.keyStrategy() != strategy
                || BreakerPolicy.saturatedNanos(provider.upstream().breakerMaxRetryAfter()) != maxCoolNanos
                || values.size() != keys.length) {
            return false;
        }
        for (int i = 0; i < keys.length; i++) {
            if (!keys[i].value.equals(values.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes over each key's health (cooldown, removal) from {@code old} for every key of this pool
     * that {@code old} also has, matched by hash (a key may move in the list); returns this pool.
     */
    public KeyPool carryStateFrom(KeyPool old) {
        for (Key k : keys) {
            for (Key o : old.keys) {
                if (o.hash.equals(k.hash)) {
                    k.coolUntil.set(o.coolUntil.get());
                    k.removedReason.set(o.removedReason.get());
                    break;
                }
            }
        }
        return this;
    }

    public KeyStrategy strategy() {
        return strategy;
    }

    public int size() {
        return keys.length;
    }

    /** Every key in configuration order, usable or not (for the admin view). */
    public List<Key> keys() {
        return keyList;
    }

    /** A usable key by the strategy, or null when there is none (or the pool is empty). */
    public Key pick(long nowNanos) {
        int n = keys.length;
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return keys[0].isUsable(nowNanos) ? keys[0] : null; // the common case: no shared turn counter to touch
        }
        switch (strategy) {
            case PRIORITY -> {
                for (Key k : keys) {
                    if (k.isUsable(nowNanos)) {
                        return k;
                    }
                }
                return null;
            }
            case LEAST_USED -> {
                // Ties go to the first found from a rotating start, so idle keys still take turns.
                int start = Math.floorMod(next.getAndIncrement(), n);
                Key best = null;
                int bestInFlight = Integer.MAX_VALUE;
                for (int i = 0; i < n; i++) {
                    Key k = keys[(start + i) % n];
                    if (k.isUsable(nowNanos)) {
                        int inFlight = k.inFlight.get();
                        if (inFlight < bestInFlight) {
                            best = k;
                            bestInFlight = inFlight;
                        }
                    }
                }
                return best;
            }
            default -> {
                int start = Math.floorMod(next.getAndIncrement(), n);
                for (int i = 0; i < n; i++) {
                    Key k = keys[(start + i) % n];
                    if (k.isUsable(nowNanos)) {
                        return k;
                    }
                }
                return null;
            }
        }
    }

    /** Whether {@link #pick} would find a key now (without moving the round-robin turn). */
    public boolean anyUsable(long nowNanos) {
        for (Key k : keys) {
            if (k.isUsable(nowNanos)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a key other than {@code key} is usable now. */
    public boolean anyUsableExcept(Key key, long nowNanos) {
        for (Key k : keys) {
            if (k != key && k.isUsable(nowNanos)) {
                return true;
            }
        }
        return false;
    }

    /** A request is about to use {@code key} (least_used counts these). */
    public void onStart(Key key) {
        own(key).inFlight.incrementAndGet();
    }

    /** A request that {@link #onStart started} with {@code key} is over, whatever its outcome. */
    public void onFinish(Key key) {
        own(key).inFlight.updateAndGet(v -> v > 0 ? v - 1 : 0);
    }

    /**
     * Keeps {@code key} out of rotation for {@code nanos} from {@code nowNanos} (a 429 with
     * Retry-After), at most the pool's cap. Only this key cools; a cooldown is extended, never
     * shortened, by a later call.
     */
    public void coolFor(Key key, long nanos, long nowNanos) {
        own(key);
        nanos = Math.min(nanos, maxCoolNanos);
        if (nanos <= 0) {
            return;
        }
        long until = nowNanos + nanos;
        long stored = until == 0 ? 1 : until; // 0 means "not cooling"
        key.coolUntil.updateAndGet(
                current -> current == 0 || current - nowNanos <= 0 || stored - current > 0 ? stored : current);
    }

    /**
     * Takes {@code key} out until {@link #reset()} (a 401/403: the key is wrong or revoked).
     *
     * @param reason shown in logs and the admin view; must not contain the key
     */
    public void remove(Key key, String reason) {
        own(key).removedReason.set(reason == null || reason.isEmpty() ? "removed" : reason);
    }

    /** Every key usable again: removals and cooldowns cleared (after the operator fixed the keys). */
    public void reset() {
        for (Key k : keys) {
            k.removedReason.set(null);
            k.coolUntil.set(0);
        }
    }

    private Key own(Key key) {
        if (key == null || key.index >= keys.length || keys[key.index] != key) {
            throw new IllegalArgumentException("not a key of this pool (" + provider + ")");
        }
        return key;
    }

    @Override
    public String toString() {
        return "KeyPool[provider=" + provider + ", strategy=" + strategy + ", keys=" + keyList + "]";
    }

    /**
     * One key of the pool. {@link #toString()} shows only its index and hash; the secret itself
     * is reachable only through {@link #value()}.
     */
    public static final class Key {
        private final String provider;
        private final int index;
        private final String value;
        private final KeyHash hash;
        private final AtomicInteger inFlight = new AtomicInteger();
        /** Nanos deadline of a cooldown; 0 = not cooling. */
        private final AtomicLong coolUntil = new AtomicLong();
        /** Non-null while removed. */
        private final AtomicReference<String> removedReason = new AtomicReference<>();

        private Key(String provider, int index, String value) {
            this.provider = provider;
            this.index = index;
            this.value = value;
            this.hash = KeyHash.ofKey(value);
        }

        /**
         * The secret, to put in the upstream request's credential header and nowhere else: never log
         * it, never put it in an error message or a response. Use {@link #hash()} to name the key.
         */
        public String value() {
            return value;
        }

        /** The key's SHA-256, safe for logs and the admin view. */
        public KeyHash hash() {
            return hash;
        }

        /** Position in the provider's {@code api_keys}. */
        public int index() {
            return index;
        }

        public int inFlight() {
            return inFlight.get();
        }

        /** The reason given to {@link KeyPool#remove}, or null while the key is in the pool. */
        public String removedReason() {
            return removedReason.get();
        }

        public boolean isRemoved() {
            return removedReason.get() != null;
        }

        public boolean isCooling(long nowNanos) {
            long until = coolUntil.get();
            return until != 0 && until - nowNanos > 0;
        }

        /** Nanoseconds until the cooldown ends, 0 when not cooling. */
        public long coolingRemaining(long nowNanos) {
            long until = coolUntil.get();
            return until != 0 && until - nowNanos > 0 ? until - nowNanos : 0;
        }

        public boolean isUsable(long nowNanos) {
            return removedReason.get() == null && !isCooling(nowNanos);
        }

        @Override
        public String toString() {
            return "Key[" + provider + "#" + index + ", " + hash.toString().substring(0, 7 + 12) + "...]";
        }
    }
}
