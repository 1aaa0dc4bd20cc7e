package io.aigw.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LimitStore} must do, run by a subclass that supplies a fresh store per test (a
 * virtual clock for the local store, a key prefix of its own on the machine's Redis).
 */
abstract class LimitStoreContract {
    static final Duration MINUTE = Duration.ofMinutes(1);
    /** For counts over many round trips: one unit refills every 36 s, far longer than a test runs. */
    static final Duration HOUR = Duration.ofHours(1);

    protected LimitStore store;

    /** A store with no state from other tests. */
    protected abstract LimitStore openEmpty() throws Exception;

    /** Lets {@code d} pass for the store (a virtual clock moves; real time is slept). */
    protected abstract void advance(Duration d) throws Exception;

    /** The wall-clock time the store is at (quota periods are built from it). */
    protected abstract Instant now();

    /** How far a reported duration may fall short of the exact value (real time passes between calls). */
    protected abstract Duration slack();

    @BeforeEach
    void open() throws Exception {
        store = openEmpty();
    }

    @AfterEach
    void closeStore() {
        if (store != null) { // null when the subclass skipped (no Redis outside CI)
            store.close();
        }
    }

    static Decision acquire(LimitStore s, LimitCheck... checks) {
        return s.acquire(List.of(checks))
                .toCompletableFuture()
                .orTimeout(5, TimeUnit.SECONDS)
                .join();
    }

    Decision acquire(LimitCheck... checks) {
        return acquire(store, checks);
    }

    void release(Limit l, String lease) {
        store.release(l, lease)
                .toCompletableFuture()
                .orTimeout(5, TimeUnit.SECONDS)
                .join();
    }

    void correct(Limit l, long delta) {
        store.correct(l, delta)
                .toCompletableFuture()
                .orTimeout(5, TimeUnit.SECONDS)
                .join();
    }

    void assertNear(Duration expected, Duration actual) {
        assertTrue(
                actual.compareTo(expected) <= 0 && actual.compareTo(expected.minus(slack())) >= 0,
                () -> "expected " + expected + " (less at most " + slack() + "), was " + actual);
    }

    @Test
    void exactlyTheLimitIsAllowedThenRefused() {
        Limit rpm = Limit.of("key:1:rpm", 5, MINUTE);
        for (int i = 1; i <= 5; i++) {
            Decision d = acquire(rpm.cost(1));
            assertTrue(d.allowed(), "request " + i);
            Decision.Result r = d.results().get(0);
            assertEquals(5, r.limit());
            assertEquals(5 - i, r.remaining());
            assertTrue(r.fits());
            assertEquals(Duration.ZERO, r.retryAfter());
            assertNear(Duration.ofSeconds(12L * i), r.reset());
        }
        Decision refused = acquire(rpm.cost(1));
        assertFalse(refused.allowed());
        Decision.Result r = refused.results().get(0);
        assertFalse(r.fits());
        assertEquals(0, r.remaining());
        assertNear(MINUTE, r.reset());
        // One unit refills every window / limit = 12 s.
        assertNear(Duration.ofSeconds(12), refused.retryAfter());
        assertEquals(r, refused.refusedBy().orElseThrow());
        // A refusal takes nothing: still refused, the reset did not grow.
        assertNear(MINUTE, acquire(rpm.cost(1)).results().get(0).reset());
    }

    @Test
    void theWindowRefills() throws Exception {
        Limit l = Limit.of("ip:1.2.3.4:rpm", 2, Duration.ofSeconds(1));
        assertTrue(acquire(l.cost(1)).allowed());
        assertTrue(acquire(l.cost(1)).allowed());
        assertFalse(acquire(l.cost(1)).allowed());
        advance(Duration.ofMillis(1050));
        Decision again = acquire(l.cost(1));
        assertTrue(again.allowed());
        assertEquals(1, again.results().get(0).remaining());
        assertTrue(acquire(l.cost(1)).allowed());
    }

    @Test
    void halfAWindowRefillsHalfTheLimit() throws Exception {
        Limit l = Limit.of("global:rpm", 10, Duration.ofSeconds(2));
        assertTrue(acquire(l.cost(10)).allowed());
        assertFalse(acquire(l.cost(1)).allowed());
        advance(Duration.ofMillis(1000));
        Decision d = acquire(l.cost(0));
        assertTrue(d.allowed());
        // 5 refilled (a few more on a real clock that ran on).
        long remaining = d.results().get(0).remaining();
        assertTrue(remaining >= 5 && remaining <= 5 + slack().toMillis() / 200, "remaining " + remaining);
    }

    @Test
    void checksAreAllOrNothing() {
        Limit key = Limit.of("key:7:rpm", 5, MINUTE);
        Limit ip = Limit.of("ip:10.0.0.1:rpm", 2, MINUTE);
        assertTrue(acquire(key.cost(1), ip.cost(1)).allowed());
        assertTrue(acquire(key.cost(1), ip.cost(1)).allowed());
        Decision refused = acquire(key.cost(1), ip.cost(1));
        assertFalse(refused.allowed());
        assertTrue(refused.results().get(0).fits());
        assertFalse(refused.results().get(1).fits());
        assertEquals(ip, refused.refusedBy().orElseThrow().check().limit());
        // The key's limit was not charged by the refused request.
        assertEquals(3, refused.results().get(0).remaining());
        Decision keyOnly = acquire(key.cost(1));
        assertTrue(keyOnly.allowed());
        assertEquals(2, keyOnly.results().get(0).remaining());
    }

    @Test
    void tokensAreAdmittedByEstimateAndCorrected() {
        Limit tpm = Limit.of("key:9:tpm", 1000, MINUTE);
        Decision first = acquire(tpm.cost(800));
        assertTrue(first.allowed());
        assertEquals(200, first.results().get(0).remaining());
        Decision tooMany = acquire(tpm.cost(300));
        assertFalse(tooMany.allowed());
        // 100 more tokens refill in 6 s.
        assertNear(Duration.ofSeconds(6), tooMany.retryAfter());
        // The exchange used 300 of the 800 estimated: 500 given back.
        correct(tpm, -500);
        Decision second = acquire(tpm.cost(300));
        assertTrue(second.allowed());
        assertEquals(400, second.results().get(0).remaining());
        // An under-estimate is charged after the fact, past the limit if need be.
        correct(tpm, 600);
        Decision over = acquire(tpm.cost(1));
        assertFalse(over.allowed());
        assertEquals(0, over.results().get(0).remaining());
        // Debt 1200 tokens: 1.2 minutes to drain.
        assertNear(Duration.ofMillis(72_000), over.results().get(0).reset());
        // Giving back more than was taken leaves a full limit, not more.
        correct(tpm, -5000);
        Decision full = acquire(tpm.cost(0));
        assertEquals(1000, full.results().get(0).remaining());
        assertEquals(Duration.ZERO, full.results().get(0).reset());
    }

    @Test
    void correctionsAreBoundedSoTheArithmeticStaysExact() {
        Limit tpm = Limit.of("key:8:tpm", 1000, MINUTE);
        Throwable e = assertThrows(Throwable.class, () -> correct(tpm, Long.MAX_VALUE / 2));
        Throwable cause = e instanceof CompletionException ? e.getCause() : e;
        assertTrue(cause instanceof IllegalArgumentException, cause.toString());
        // The largest correction allowed is kept, capped, and can be given back.
        long largest = Limit.MAX_EXACT / MINUTE.toMillis();
        correct(tpm, largest);
        correct(tpm, largest);
        Decision owed = acquire(tpm.cost(1));
        assertFalse(owed.allowed());
        assertEquals(0, owed.results().get(0).remaining());
        assertNear(
                Duration.ofMillis((Gcra.MAX_DEBT + 999) / 1000),
                owed.results().get(0).reset());
        correct(tpm, -largest);
        assertEquals(1000, acquire(tpm.cost(0)).results().get(0).remaining());
    }

    @Test
    void aCostAboveTheLimitNeverFitsAndTakesNothing() {
        Limit tpm = Limit.of("key:3:tpm", 100, MINUTE);
        Decision d = acquire(tpm.cost(101));
        assertFalse(d.allowed());
        assertEquals(100, d.results().get(0).remaining());
        assertTrue(acquire(tpm.cost(100)).allowed());
    }

    @Test
    void aLimitCheckedTwiceInOneCallIsRejected() {
        Limit l = Limit.of("key:1:rpm", 5, MINUTE);
        Throwable e = assertThrows(Throwable.class, () -> acquire(l.cost(1), l.cost(1)));
        Throwable cause = e instanceof CompletionException ? e.getCause() : e;
        assertTrue(cause instanceof IllegalArgumentException, cause.toString());
    }

    @Test
    void windowsAreSeparateStates() {
        Limit perMinute = Limit.of("key:2:rpm", 1, MINUTE);
        Limit perSecond = Limit.of("key:2:rpm", 1, Duration.ofSeconds(1));
        assertTrue(acquire(perMinute.cost(1)).allowed());
        assertTrue(acquire(perSecond.cost(1)).allowed());
        assertFalse(acquire(perMinute.cost(1)).allowed());
    }

    @Test
    void aDailyQuotaAllowsExactlyItsLimitThenTheNextDayStartsAfresh() {
        Instant now = now();
        Limit today = Limit.dailyQuota("key:1:tpd", 5, now);
        Duration toMidnight = Duration.between(now, Instant.ofEpochMilli(today.periodEndMillis()));
        for (int i = 1; i <= 5; i++) {
            Decision d = acquire(today.cost(1));
            assertTrue(d.allowed(), "request " + i);
            Decision.Result r = d.results().get(0);
            assertEquals(5, r.limit());
            assertEquals(5 - i, r.remaining());
            assertEquals(Duration.ZERO, r.retryAfter());
            assertNear(toMidnight, r.reset());
        }
        Decision refused = acquire(today.cost(1));
        assertFalse(refused.allowed());
        Decision.Result r = refused.results().get(0);
        assertFalse(r.fits());
        assertEquals(0, r.remaining());
        // No refill within the day: the next unit comes at midnight.
        assertNear(toMidnight, r.reset());
        assertEquals(r.reset(), refused.retryAfter());
        // A refusal took nothing, and a cost of 0 still reads the state.
        assertFalse(acquire(today.cost(1)).allowed());
        // The next UTC day is a period of its own.
        Limit tomorrow = Limit.dailyQuota("key:1:tpd", 5, now.plus(Duration.ofDays(1)));
        Decision fresh = acquire(tomorrow.cost(2));
        assertTrue(fresh.allowed());
        assertEquals(3, fresh.results().get(0).remaining());
        assertNear(toMidnight.plus(Duration.ofDays(1)), fresh.results().get(0).reset());
        assertFalse(acquire(today.cost(1)).allowed());
    }

    @Test
    void aMonthlyQuotaCountsTokensAndTheNextMonthStartsAfresh() {
        Instant now = now();
        Limit month = Limit.monthlyQuota("key:2:tpm-quota", 1000, now);
        Instant end = YearMonth.from(now.atZone(ZoneOffset.UTC))
                .plusMonths(1)
                .atDay(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        assertEquals(end.toEpochMilli(), month.periodEndMillis());
        assertTrue(acquire(month.cost(999)).allowed());
        Decision d = acquire(month.cost(2));
        assertFalse(d.allowed());
        assertEquals(1, d.results().get(0).remaining());
        assertNear(Duration.between(now, end), d.retryAfter());
        Decision last = acquire(month.cost(1));
        assertTrue(last.allowed());
        assertEquals(0, last.results().get(0).remaining());
        // A cost above the quota never fits, and takes nothing.
        Limit next = Limit.monthlyQuota("key:2:tpm-quota", 1000, end);
        assertFalse(acquire(next.cost(1001)).allowed());
        Decision fresh = acquire(next.cost(1000));
        assertTrue(fresh.allowed());
        assertEquals(0, fresh.results().get(0).remaining());
    }

    @Test
    void aQuotaIsCorrectedByRealUsageNeverBelowZero() {
        Limit q = Limit.dailyQuota("key:9:tpd", 1000, now());
        assertTrue(acquire(q.cost(800)).allowed());
        assertFalse(acquire(q.cost(300)).allowed());
        // The exchange used 300 of the 800 estimated: 500 given back.
        correct(q, -500);
        Decision second = acquire(q.cost(300));
        assertTrue(second.allowed());
        assertEquals(400, second.results().get(0).remaining());
        // An under-estimate is charged after the fact, past the quota if need be.
        correct(q, 700);
        Decision over = acquire(q.cost(0));
        assertFalse(over.allowed());
        assertEquals(0, over.results().get(0).remaining());
        // Giving back more than was used leaves the full quota, not more.
        correct(q, -5000);
        assertEquals(1000, acquire(q.cost(0)).results().get(0).remaining());
        correct(q, 1);
        assertEquals(999, acquire(q.cost(0)).results().get(0).remaining());
        Throwable e = assertThrows(Throwable.class, () -> correct(q, Limit.MAX_QUOTA + 1));
        Throwable cause = e instanceof CompletionException ? e.getCause() : e;
        assertTrue(cause instanceof IllegalArgumentException, cause.toString());
    }

    @Test
    void exactlyMaxLeasesAreHeldAndAReleaseFreesOne() {
        Limit p = Limit.parallel("key:1:parallel", 3, MINUTE);
        for (int i = 1; i <= 3; i++) {
            Decision d = acquire(p.lease("req-" + i));
            assertTrue(d.allowed(), "lease " + i);
            Decision.Result r = d.results().get(0);
            assertEquals(3, r.limit());
            assertEquals(3 - i, r.remaining());
            assertEquals(Duration.ZERO, r.reset());
            assertEquals(Duration.ZERO, r.retryAfter());
        }
        Decision refused = acquire(p.lease("req-4"));
        assertFalse(refused.allowed());
        assertEquals(0, refused.results().get(0).remaining());
        assertEquals(Duration.ZERO, refused.results().get(0).reset());
        // The soonest lease expires in a minute: retry in a second (a release may come any time).
        assertEquals(Duration.ofSeconds(1), refused.retryAfter());
        // Taking a lease already held renews it and counts once.
        Decision renewed = acquire(p.lease("req-1"));
        assertTrue(renewed.allowed());
        assertEquals(0, renewed.results().get(0).remaining());
        release(p, "req-2");
        Decision fourth = acquire(p.lease("req-4"));
        assertTrue(fourth.allowed());
        assertEquals(0, fourth.results().get(0).remaining());
        // Releasing again, or a lease never held, frees nothing more.
        release(p, "req-2");
        release(p, "never-held");
        assertFalse(acquire(p.lease("req-5")).allowed());
        release(p, "req-1");
        release(p, "req-3");
        release(p, "req-4");
        for (int i = 5; i <= 7; i++) {
            assertTrue(acquire(p.lease("req-" + i)).allowed());
        }
        assertFalse(acquire(p.lease("req-8")).allowed());
    }

    @Test
    void aLeaseNeverReleasedIsForgottenAfterItsTtl() throws Exception {
        Limit p = Limit.parallel("key:2:parallel", 1, Duration.ofMillis(300));
        assertTrue(acquire(p.lease("crashed")).allowed());
        Decision refused = acquire(p.lease("next"));
        assertFalse(refused.allowed());
        Duration retry = refused.retryAfter();
        assertTrue(
                retry.compareTo(Duration.ofMillis(300)) <= 0 && retry.compareTo(Duration.ZERO) > 0, retry.toString());
        advance(Duration.ofMillis(350));
        Decision d = acquire(p.lease("next"));
        assertTrue(d.allowed());
        assertEquals(0, d.results().get(0).remaining());
    }

    @Test
    void checksOfEveryKindAreAllOrNothing() {
        Instant now = now();
        Limit rpm = Limit.of("key:7:rpm", 5, MINUTE);
        Limit tpd = Limit.dailyQuota("key:7:tpd", 2, now);
        Limit par = Limit.parallel("key:7:parallel", 1, MINUTE);
        assertTrue(acquire(rpm.cost(1), tpd.cost(1), par.lease("a")).allowed());
        Decision busy = acquire(rpm.cost(1), tpd.cost(1), par.lease("b"));
        assertFalse(busy.allowed());
        assertTrue(busy.results().get(0).fits());
        assertTrue(busy.results().get(1).fits());
        assertFalse(busy.results().get(2).fits());
        assertEquals(par, busy.refusedBy().orElseThrow().check().limit());
        // Neither the rate nor the quota was charged by the refused request.
        assertEquals(4, busy.results().get(0).remaining());
        assertEquals(1, busy.results().get(1).remaining());
        release(par, "a");
        Decision second = acquire(rpm.cost(1), tpd.cost(1), par.lease("b"));
        assertTrue(second.allowed());
        assertEquals(3, second.results().get(0).remaining());
        assertEquals(0, second.results().get(1).remaining());
        assertEquals(0, second.results().get(2).remaining());
        release(par, "b");
        // Refused by the quota: the lease asked for is not held.
        Decision spent = acquire(rpm.cost(1), tpd.cost(1), par.lease("c"));
        assertFalse(spent.allowed());
        assertTrue(spent.results().get(2).fits());
        assertEquals(tpd, spent.refusedBy().orElseThrow().check().limit());
        assertEquals(1, spent.results().get(2).remaining());
        Decision other = acquire(par.lease("d"));
        assertTrue(other.allowed(), "lease c was held by a refused request");
        assertEquals(3, acquire(rpm.cost(0)).results().get(0).remaining());
    }

    @Test
    void misusedKindsAreRejected() {
        Limit par = Limit.parallel("key:1:parallel", 2, MINUTE);
        Limit rpm = Limit.of("key:1:rpm", 5, MINUTE);
        Throwable e = assertThrows(Throwable.class, () -> correct(par, 1));
        Throwable cause = e instanceof CompletionException ? e.getCause() : e;
        assertTrue(cause instanceof IllegalArgumentException, cause.toString());
        e = assertThrows(Throwable.class, () -> release(rpm, "x"));
        cause = e instanceof CompletionException ? e.getCause() : e;
        assertTrue(cause instanceof IllegalArgumentException, cause.toString());
        e = assertThrows(Throwable.class, () -> acquire(par.lease("x"), par.lease("y")));
        cause = e instanceof CompletionException ? e.getCause() : e;
        assertTrue(cause instanceof IllegalArgumentException, cause.toString());
    }

    @Test
    void concurrentLeasesNeverExceedTheMax() throws Exception {
        Limit par = Limit.parallel("global:parallel", 5, MINUTE);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            AtomicInteger held = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicInteger allowed = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        String lease = thread + "-" + i;
                        if (acquire(par.lease(lease)).allowed()) {
                            allowed.incrementAndGet();
                            most.accumulateAndGet(held.incrementAndGet(), Math::max);
                            if (i % 2 == 0) { // every other lease is kept to the end
                                held.decrementAndGet();
                                release(par, lease);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
            assertTrue(most.get() <= 5, "held at once: " + most.get());
            int kept = held.get();
            assertTrue(kept >= 1 && allowed.get() >= kept, "kept " + kept + ", allowed " + allowed.get());
            // The store holds exactly the leases kept.
            Decision probe = acquire(par.lease("probe"));
            assertEquals(kept < 5, probe.allowed());
            assertEquals(Math.max(0, 5 - kept - 1), probe.results().get(0).remaining());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentAcquiresAllowExactlyTheLimit() throws Exception {
        Limit l = Limit.of("global:rpm", 100, HOUR);
        assertEquals(100, countAllowed(List.of(store), l, 4, 60));
    }

    /** {@code threads} threads each acquire {@code each} times, spread over {@code stores}; returns how many were allowed. */
    static int countAllowed(List<LimitStore> stores, Limit l, int threads, int each) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger allowed = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                LimitStore s = stores.get(t % stores.size());
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        if (acquire(s, l.cost(1)).allowed()) {
                            allowed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
            return allowed.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
