package io.aigw.core.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.aigw.core.auth.KeyHash;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds database keys by hash for the auth handler, through a Caffeine cache, so that a warm key
 * costs no I/O and the event loop never waits on the database.
 *
 * <p>A hash not in the cache is a <em>miss</em>. Misses are looked up by one thread of its own,
 * coalesced: every miss pending when a query starts rides in it ({@code key_hash IN (...)}), and a
 * query starts at most every {@link Tuning#minQueryInterval} (two a second by default), so however
 * many misses come, the database sees at most that many lookups a second. On top of that a budget
 * of unknown hashes (a token bucket of {@link Tuning#unknownPerSecond}) is charged after each query
 * for the hashes it found to be no key; while it is spent, a miss is answered "unknown" at once,
 * without a query and without being cached. Hashes that turn out to be keys cost nothing, so a
 * restart with thousands of active keys is never refused; a flood of made-up keys pays for its
 * first batch and is then refused without queries until the budget has grown back. Unknown hashes
 * that were looked up are cached negatively for {@link Tuning#negativeTtl}. While the budget is
 * spent, a genuine key not yet cached is refused too: the price of keeping a flood off the database.
 *
 * <p>Every {@link Tuning#refreshInterval} the cached keys are read again by id (one query per 500),
 * with their spend (one query per budget period start), so a key revoked or edited by another
 * process is seen here within that interval; this process's own admin changes are put in the cache
 * at once by {@link #changed}.
 */
public final class KeyDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyDirectory.class);

    /**
     * @param minQueryInterval the least time between two miss queries
     * @param unknownPerSecond unknown hashes a second that may be looked up (also the bucket's size)
     * @param negativeTtl how long an unknown hash is answered from the cache
     * @param positiveIdle how long a key unused stays cached
     * @param refreshInterval how often cached keys and their spend are read again
     * @param maxKeys the cache's size
     */
    public record Tuning(
            Duration minQueryInterval,
            int unknownPerSecond,
            Duration negativeTtl,
            Duration positiveIdle,
            Duration refreshInterval,
            long maxKeys) {
        public static final Tuning DEFAULT = new Tuning(
                Duration.ofMillis(500),
                16,
                Duration.ofSeconds(2),
                Duration.ofMinutes(10),
                Duration.ofSeconds(2),
                100_000);
    }

    /** What the directory knows of a hash: a key (whose state the caller checks), or nothing. */
    public record Found(ClientKey key, boolean storeFailed) {
        /** Looked up, or refused a lookup by the miss cap: not a key. */
        public static final Found UNKNOWN = new Found(null, false);
        /** The store did not answer: neither known nor unknown. */
        static final Found FAILED = new Found(null, true);
    }

    private final KeyStore store;
    private final SpendLedger ledger;
    private final Tuning tuning;
    private final Clock clock;
    private final Cache<KeyHash, Found> cache;
    private final AtomicLong missQueries = new AtomicLong();
    private final AtomicLong missesRefused = new AtomicLong();

    /** Misses waiting for the next query; guarded by {@code this}. */
    private Map<KeyHash, CompletableFuture<Found>> pending = new LinkedHashMap<>();

    private double tokens; // guarded by this
    private long tokensAtNanos; // guarded by this
    private long lastQueryNanos; // lookup thread only
    private boolean closed; // guarded by this
    private final Thread lookups;
    private final ScheduledExecutorService refresher;

    public KeyDirectory(KeyStore store, SpendLedger ledger, Tuning tuning, Clock clock) {
        this.store = store;
        this.ledger = ledger;
        this.tuning = tuning;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                // Upkeep (the read buffer, expiry) runs on the thread that triggers it, an event loop
                // included: it never blocks, and handing it to the common pool cost a thread wake-up
                // (about 2 µs of CPU a request on the bench), more than the upkeep itself.
                .executor(Runnable::run)
                .maximumSize(tuning.maxKeys())
                .expireAfter(new Expiry<KeyHash, Found>() {
                    @Override
                    public long expireAfterCreate(KeyHash k, Found v, long now) {
                        return (v.key() == null ? tuning.negativeTtl() : tuning.positiveIdle()).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(KeyHash k, Found v, long now, long current) {
                        return expireAfterCreate(k, v, now);
                    }

                    @Override
                    public long expireAfterRead(KeyHash k, Found v, long now, long current) {
                        return v.key() == null ? current : tuning.positiveIdle().toNanos();
                    }
                })
                .build();
        this.tokens = tuning.unknownPerSecond();
        this.tokensAtNanos = System.nanoTime();
        this.lastQueryNanos = System.nanoTime() - tuning.minQueryInterval().toNanos();
        this.lookups = new Thread(this::lookupLoop, "aigw-key-lookup");
        this.lookups.setDaemon(true);
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aigw-key-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    public KeyDirectory start() {
        lookups.start();
        long every = tuning.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The cached answer for {@code hash}, or null when it must be looked up; never blocks. */
    public Found cached(KeyHash hash) {
        return cache.getIfPresent(hash);
    }

    /**
     * The answer for {@code hash}, from the cache or a coalesced lookup; completes on the lookup
     * thread (or at once). Never fails: a store that does not answer gives {@code storeFailed}.
     */
    public CompletableFuture<Found> lookup(KeyHash hash) {
        Found hit = cache.getIfPresent(hash);
        if (hit != null) {
            return CompletableFuture.completedFuture(hit);
        }
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(Found.FAILED);
            }
            CompletableFuture<Found> waiting = pending.get(hash);
            if (waiting != null) {
                return waiting;
            }
            if (tokens() < 1) {
                missesRefused.incrementAndGet();
                return CompletableFuture.completedFuture(Found.UNKNOWN);
            }
            CompletableFuture<Found> f = new CompletableFuture<>();
            pending.put(hash, f);
            notifyAll();
            return f;
        }
    }

    /** The unknown-hash budget now, refilled for the time since it was last looked at. */
    private double tokens() {
        long now = System.nanoTime();
        double rate = tuning.unknownPerSecond();
        tokens = Math.min(rate, tokens + (now - tokensAtNanos) * rate / 1e9);
        tokensAtNanos = now;
        return tokens;
    }

    /** Charges {@code unknown} hashes a query found to be no key; the debt is capped at five seconds' worth. */
    private synchronized void charge(int unknown) {
        tokens = Math.max(-5.0 * tuning.unknownPerSecond(), tokens() - unknown);
    }

    private void lookupLoop() {
        while (true) {
            Map<KeyHash, CompletableFuture<Found>> batch;
            try {
                synchronized (this) {
                    while (pending.isEmpty() && !closed) {
                        wait();
                    }
                    if (closed) {
                        failAll(pending);
                        return;
                    }
                }
                long waitNanos = lastQueryNanos + tuning.minQueryInterval().toNanos() - System.nanoTime();
                if (waitNanos > 0) {
                    TimeUnit.NANOSECONDS.sleep(waitNanos);
                }
                synchronized (this) {
                    batch = pending;
                    pending = new LinkedHashMap<>();
                }
            } catch (InterruptedException e) {
                synchronized (this) {
                    failAll(pending);
                }
                return;
            }
            lastQueryNanos = System.nanoTime();
            answer(batch);
        }
    }

    private void answer(Map<KeyHash, CompletableFuture<Found>> batch) {
        Map<KeyHash, Found> answers = new HashMap<>();
        try {
            missQueries.incrementAndGet();
            List<ClientKey> keys = store.byHashes(batch.keySet());
            ledger.refresh(store, keys, today());
            for (ClientKey k : keys) {
                answers.put(k.hash(), new Found(k, false));
                if (k.previousHash() != null) {
                    answers.put(k.previousHash(), new Found(k, false));
                }
            }
        } catch (Exception e) {
            log.warn("looking up {} client key hash(es) failed: {}", batch.size(), e.toString());
            failAll(batch);
            return;
        }
        int unknown = 0;
        for (Map.Entry<KeyHash, CompletableFuture<Found>> e : batch.entrySet()) {
            Found found = answers.getOrDefault(e.getKey(), Found.UNKNOWN);
            if (found.key() == null) {
                unknown++;
            }
            cache.put(e.getKey(), found);
            e.getValue().complete(found);
        }
        charge(unknown);
    }

    private static void failAll(Map<KeyHash, CompletableFuture<Found>> batch) {
        batch.values().forEach(f -> f.complete(Found.FAILED));
        batch.clear();
    }

    /** Reads every cached key again, and their spend; on the refresh thread. */
    void refresh() {
        try {
            Map<Long, List<KeyHash>> hashesById = new HashMap<>();
            cache.asMap().forEach((hash, found) -> {
                if (found.key() != null) {
                    hashesById
                            .computeIfAbsent(found.key().id(), id -> new ArrayList<>())
                            .add(hash);
                }
            });
            if (hashesById.isEmpty()) {
                return;
            }
            List<ClientKey> keys = store.byIds(hashesById.keySet());
            ledger.refresh(store, keys, today());
            for (ClientKey k : keys) {
                hashesById
                        .remove(k.id())
                        .forEach(h -> cache.asMap().computeIfPresent(h, (x, old) -> new Found(k, false)));
            }
            // Gone from the database (deleted by hand): forget them, so they are looked up afresh.
            hashesById.values().forEach(cache::invalidateAll);
        } catch (Exception e) {
            log.warn(
                    "refreshing cached client keys failed (tried again in {} ms): {}",
                    tuning.refreshInterval().toMillis(),
                    e.toString());
        }
    }

    /** This process changed {@code key} (admin API): every cached hash of it sees the change at once. */
    public void changed(ClientKey key) {
        cache.asMap()
                .replaceAll((h, found) ->
                        found.key() != null && found.key().id() == key.id() ? new Found(key, false) : found);
        if (key.previousHash() != null) {
            cache.put(key.previousHash(), new Found(key, false));
        }
        cache.put(key.hash(), new Found(key, false));
    }

    /**
     * The current UTC day, by the directory's clock. Asked on every request of a key with a budget:
     * the day is kept and only made again when the clock's epoch day moves on.
     */
    public LocalDate today() {
        long epochDay = Math.floorDiv(clock.millis(), 86_400_000L);
        LocalDate day = this.day;
        if (day == null || day.toEpochDay() != epochDay) {
            day = LocalDate.ofEpochDay(epochDay);
            this.day = day;
        }
        return day;
    }

    /** A benign race: two threads may both make the day, the same one. */
    private volatile LocalDate day;

    public Clock clock() {
        return clock;
    }

    public SpendLedger ledger() {
        return ledger;
    }

    /** Miss queries made so far (for tests and metrics). */
    public long missQueries() {
        return missQueries.get();
    }

    /** Misses answered "unknown" without a lookup because the unknown-hash budget was spent. */
    public long missesRefused() {
        return missesRefused.get();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        refresher.shutdownNow();
        lookups.interrupt();
    }
}
