package io.aigw.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void backoffCeilingDoublesUpToMax() {
        Backoff b = Backoff.defaults();
        assertEquals(100 * MS, b.ceilingNanos(1));
        assertEquals(200 * MS, b.ceilingNanos(2));
        assertEquals(400 * MS, b.ceilingNanos(3));
        assertEquals(3200 * MS, b.ceilingNanos(6));
        assertEquals(5 * S, b.ceilingNanos(7));
        assertEquals(5 * S, b.ceilingNanos(1000), "no overflow for huge attempts");
        assertEquals(100 * MS, b.ceilingNanos(0));
    }

    @Test
    void fullJitterStaysInBoundsAndSpreads() {
        Backoff b = Backoff.defaults();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int attempt = 1; attempt <= 10; attempt++) {
            long ceiling = b.ceilingNanos(attempt);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            double sum = 0;
            int n = 2000;
            for (int i = 0; i < n; i++) {
                long d = b.delayNanos(attempt, rnd);
                assertTrue(d >= 0 && d <= ceiling, "attempt " + attempt + ": " + d);
                min = Math.min(min, d);
                max = Math.max(max, d);
                sum += d;
            }
            assertTrue(min < ceiling / 10, "full jitter reaches near zero");
            assertTrue(max > ceiling * 9 / 10, "full jitter reaches near the ceiling");
            assertEquals(ceiling / 2.0, sum / n, ceiling * 0.05, "uniform mean");
        }
    }

    @Test
    void retryAfterSeconds() {
        assertEquals(Optional.of(5 * S), RetryAfter.parse("5", null, 0));
        assertEquals(Optional.of(0L), RetryAfter.parse(" 0 ", null, 0));
        assertEquals(Optional.of(1500 * MS), RetryAfter.parse("1.5", null, 0));
        assertEquals(Optional.of(Long.MAX_VALUE), RetryAfter.parse("99999999999999999999", null, 0));
    }

    @Test
    void retryAfterHttpDate() {
        long now = Instant.parse("2015-10-21T07:27:30Z").toEpochMilli();
        assertEquals(Optional.of(30 * S), RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", null, now));
        assertEquals(
                Optional.of(0L),
                RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", null, now),
                "a date in the past means no wait");
        String formatted = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochMilli(now).plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertEquals(Optional.of(7 * S), RetryAfter.parse(formatted, null, now));
    }

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        assertEquals(Optional.of(250 * MS), RetryAfter.parse("10", "250", 0));
        assertEquals(Optional.of(250 * MS + 500_000), RetryAfter.parse(null, "250.5", 0));
        assertEquals(Optional.of(10 * S), RetryAfter.parse("10", "soon", 0), "bad ms falls back to Retry-After");
    }

    @Test
    void retryAfterGarbage() {
        assertEquals(Optional.empty(), RetryAfter.parse(null, null, 0));
        assertEquals(Optional.empty(), RetryAfter.parse("", "", 0));
        assertEquals(Optional.empty(), RetryAfter.parse("soon", null, 0));
        assertEquals(Optional.empty(), RetryAfter.parse("-5", null, 0));
        assertEquals(Optional.empty(), RetryAfter.parse("1e3", null, 0));
        assertEquals(Optional.empty(), RetryAfter.parse("NaN", "Infinity", 0));
        assertEquals(Optional.empty(), RetryAfter.parse("1.2.3", null, 0));
        assertEquals(Optional.empty(), RetryAfter.parse("Wed, 99 Oct 2015 07:28:00 GMT", null, 0));
    }

    @Test
    void retryPolicyDefaults() {
        RetryPolicy p = RetryPolicy.defaults();
        assertEquals(2, p.count());
        assertEquals(Backoff.defaults(), p.backoff());
        assertEquals(Duration.ofSeconds(30), p.retryAfterCap());
    }

    @Test
    void countLimitsRetries() {
        RetryPolicy p = RetryPolicy.defaults();
        SplittableRandom rnd = new SplittableRandom(1);
        long deadline = 60 * S;
        assertTrue(p.nextDelay(1, Optional.empty(), 0, deadline, rnd).isPresent());
        assertTrue(p.nextDelay(2, Optional.empty(), 0, deadline, rnd).isPresent());
        assertEquals(OptionalLong.empty(), p.nextDelay(3, Optional.empty(), 0, deadline, rnd));
        assertEquals(OptionalLong.empty(), RetryPolicy.none().nextDelay(1, Optional.empty(), 0, deadline, rnd));
    }

    @Test
    void backoffUsedWithoutServerDelay() {
        RetryPolicy p = RetryPolicy.of(
                5, Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)), Duration.ofSeconds(30));
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            long d = p.nextDelay(3, Optional.empty(), 0, 60 * S, rnd).orElseThrow();
            assertTrue(d >= 0 && d <= 400 * MS, "" + d);
        }
    }

    @Test
    void serverDelayHonouredUpToCap() {
        RetryPolicy p = RetryPolicy.defaults();
        SplittableRandom rnd = new SplittableRandom(3);
        assertEquals(OptionalLong.of(7 * S), p.nextDelay(1, Optional.of(7 * S), 0, 60 * S, rnd));
        assertEquals(OptionalLong.of(30 * S), p.nextDelay(1, Optional.of(30 * S), 0, 60 * S, rnd));
        assertEquals(
                OptionalLong.empty(),
                p.nextDelay(1, Optional.of(30 * S + 1), 0, 600 * S, rnd),
                "beyond the cap: give up");
        assertEquals(OptionalLong.of(0), p.nextDelay(1, Optional.of(-5L), 0, 60 * S, rnd));
    }

    @Test
    void deadlineIsNeverCrossed() {
        RetryPolicy p = RetryPolicy.defaults();
        SplittableRandom rnd = new SplittableRandom(3);
        long now = Long.MAX_VALUE - 5 * S; // wrap-around safe
        long deadline = now + 10 * S;
        assertEquals(OptionalLong.of(9 * S), p.nextDelay(1, Optional.of(9 * S), now, deadline, rnd));
        assertEquals(OptionalLong.empty(), p.nextDelay(1, Optional.of(10 * S), now, deadline, rnd));
        assertEquals(OptionalLong.empty(), p.nextDelay(1, Optional.of(11 * S), now, deadline, rnd));
        assertEquals(
                OptionalLong.empty(), p.nextDelay(1, Optional.empty(), deadline, deadline, rnd), "deadline reached");
        assertEquals(OptionalLong.empty(), p.nextDelay(1, Optional.empty(), deadline + 1, deadline, rnd));
        // Backoff can reach 100 ms; with 1 ms left every draw above 1 ms gives up, none waits past the deadline.
        int gaveUp = 0;
        for (int i = 0; i < 200; i++) {
            OptionalLong d = p.nextDelay(1, Optional.empty(), deadline - MS, deadline, rnd);
            if (d.isEmpty()) {
                gaveUp++;
            } else {
                assertTrue(d.getAsLong() < MS);
            }
        }
        assertTrue(gaveUp > 150, "" + gaveUp);
    }
}
