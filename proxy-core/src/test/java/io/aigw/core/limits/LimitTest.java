package io.aigw.core.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The kinds of {@link Limit}: their periods, state keys and bounds. */
class LimitTest {

    @Test
    void aRateIsTheDefaultKind() {
        Limit l = Limit.of("key:1:rpm", 5, Duration.ofMinutes(1));
        assertEquals(Limit.Kind.RATE, l.kind());
        assertEquals(0, l.periodEndMillis());
        assertEquals(l, new Limit("key:1:rpm", 5, Duration.ofMinutes(1)));
        assertEquals("key:1:rpm:60000", l.stateKey());
        assertNull(l.cost(1).lease());
        assertEquals(new LimitCheck(l, 3, null), new LimitCheck(l, 3));
    }

    @Test
    void aDailyQuotaIsTheUtcDayContainingNow() {
        Limit q = Limit.dailyQuota("key:1:tpd", 100, Instant.parse("2026-12-06T23:59:59.999Z"));
        assertEquals(Limit.Kind.QUOTA, q.kind());
        assertEquals(Instant.parse("2026-12-07T00:00:00Z").toEpochMilli(), q.periodEndMillis());
        assertEquals(Duration.ofDays(1), q.window());
        assertEquals("key:1:tpd:d20261206", q.stateKey());
        Limit next = Limit.dailyQuota("key:1:tpd", 100, Instant.parse("2026-12-07T00:00:00Z"));
        assertEquals("key:1:tpd:d20261207", next.stateKey());
    }

    @Test
    void aMonthlyQuotaIsTheUtcMonthContainingNow() {
        Limit q = Limit.monthlyQuota("key:1:tpmo", 100, Instant.parse("2026-02-14T10:00:00Z"));
        assertEquals(Instant.parse("2026-03-01T00:00:00Z").toEpochMilli(), q.periodEndMillis());
        assertEquals(Duration.ofDays(28), q.window());
        assertEquals("key:1:tpmo:m202602", q.stateKey());
        Limit dec = Limit.monthlyQuota("key:1:tpmo", 100, Instant.parse("2026-12-31T23:59:59Z"));
        assertEquals(Instant.parse("2027-01-01T00:00:00Z").toEpochMilli(), dec.periodEndMillis());
        assertEquals("key:1:tpmo:m202612", dec.stateKey());
    }

    @Test
    void anyOtherPeriodIsKeyedByItsBounds() {
        long end = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();
        Limit q = new Limit("s", 10, Duration.ofHours(6), Limit.Kind.QUOTA, end);
        assertEquals("s:p" + (end - 6 * 3_600_000L) + "-" + end, q.stateKey());
    }

    @Test
    void leasesAreKeyedByScopeAndNeedALeaseId() {
        Limit p = Limit.parallel("key:1:parallel", 4, Duration.ofMinutes(10));
        assertEquals(Limit.Kind.PARALLEL, p.kind());
        assertEquals("key:1:parallel:leases", p.stateKey());
        assertEquals(new LimitCheck(p, 1, "r1"), p.lease("r1"));
        assertThrows(IllegalArgumentException.class, () -> p.cost(1));
        assertThrows(IllegalArgumentException.class, () -> p.lease(""));
        assertThrows(IllegalArgumentException.class, () -> new LimitCheck(p, 2, "r1"));
        assertThrows(IllegalArgumentException.class, () -> new LimitCheck(p, 0, "r1"));
        assertThrows(
                IllegalArgumentException.class, () -> new LimitCheck(Limit.of("k", 1, Duration.ofSeconds(1)), 1, "r1"));
    }

    @Test
    void theBoundsKeepTheArithmeticExact() {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        Limit largest = Limit.monthlyQuota("q", Limit.MAX_QUOTA, now);
        assertEquals(Limit.MAX_QUOTA, largest.cost(Limit.MAX_QUOTA).cost());
        assertThrows(IllegalArgumentException.class, () -> Limit.dailyQuota("q", Limit.MAX_QUOTA + 1, now));
        Limit small = Limit.dailyQuota("q", 10, now);
        assertThrows(IllegalArgumentException.class, () -> small.cost(Limit.MAX_QUOTA + 1));
        assertThrows(IllegalArgumentException.class, () -> Limit.parallel("p", 1L << 31, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> Limit.parallel("p", 1, Duration.ofMillis((1L << 40) + 1)));
        assertThrows(
                IllegalArgumentException.class, () -> new Limit("r", 1, Duration.ofMinutes(1), Limit.Kind.RATE, 5));
        assertThrows(IllegalArgumentException.class, () -> new Limit("q", 1, Duration.ofDays(1), Limit.Kind.QUOTA, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> Limit.of("r", Limit.MAX_EXACT / 60_000 + 1, Duration.ofMinutes(1)));
    }
}
