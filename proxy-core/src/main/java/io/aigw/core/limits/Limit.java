package io.aigw.core.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * One limit on one scope. The scope names who is limited and in what unit, e.g. {@code key:42:rpm}, {@code
 * key:42:tpm}, {@code key:42:tpd}, {@code key:42:parallel}, {@code ip:1.2.3.4:rpm}, {@code global:rpm}. Three
 * kinds:
 *
 * <ul>
 *   <li>{@link Kind#RATE}: at most {@code limit} units per {@code window}, refilled continuously (GCRA, see
 *       {@link LimitStore}); one state per (scope, window), so a changed limit keeps its state and a changed
 *       window starts afresh. Exact while {@code limit × window_ms ≤ 2^53} (the debt is in units ×
 *       window-ms, exact in Redis's Lua doubles): a minute allows 150 billion units, a day 100 million.
 *   <li>{@link Kind#QUOTA}: at most {@code limit} units in a fixed calendar period ending at {@code
 *       periodEndMillis} (epoch ms, UTC) and lasting {@code window}; no refill, the next period starts at zero
 *       (its state has its own key, e.g. {@code key:42:tpd:d20261206}). Exact while {@code limit ≤ 2^52}
 *       (the count, corrections included, is kept within [0, 2^52]).
 *   <li>{@link Kind#PARALLEL}: at most {@code limit} leases held at once; {@code window} is the lease time to
 *       live, after which a lease never released (its replica crashed) is forgotten. {@code limit ≤ 2^31 − 1},
 *       {@code window ≤ 2^40 ms} (expiry times stay exact integers).
 * </ul>
 */
public final class Limit {
    private final String scope;
    private final long limit;
    private final Duration window;
    private final Kind kind;
    private final long periodEndMillis;
    private final long windowMillis;
    /** Made on first use, then kept: stores look it up for every check, and sort a request's checks by it. */
    private String stateKey;

    public enum Kind {
        RATE,
        QUOTA,
        PARALLEL
    }

    /** The largest integer a Lua (double) number holds exactly. */
    static final long MAX_EXACT = 1L << 53;

    /** The largest quota count kept (a quota's cost and used units stay below it, so their sum is exact). */
    static final long MAX_QUOTA = MAX_EXACT / 2;

    static final long MAX_LEASE_TTL_MS = 1L << 40;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");

    public Limit(String scope, long limit, Duration window, Kind kind, long periodEndMillis) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(kind, "kind");
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("empty limit scope");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        if (window.toMillis() <= 0) {
            throw new IllegalArgumentException("window must be at least 1 ms: " + window);
        }
        if (kind != Kind.QUOTA && periodEndMillis != 0) {
            throw new IllegalArgumentException("only a quota has a period end: " + kind);
        }
        switch (kind) {
            case RATE -> {
                if (window.toMillis() > MAX_EXACT / limit) {
                    throw new IllegalArgumentException(
                            "limit × window is too large to count exactly: " + limit + " per " + window);
                }
            }
            case QUOTA -> {
                if (limit > MAX_QUOTA) {
                    throw new IllegalArgumentException("quota too large to count exactly: " + limit);
                }
                if (periodEndMillis <= window.toMillis()) {
                    throw new IllegalArgumentException("a quota needs its period's end (epoch ms): " + periodEndMillis);
                }
            }
            case PARALLEL -> {
                if (limit > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("too many parallel leases: " + limit);
                }
                if (window.toMillis() > MAX_LEASE_TTL_MS) {
                    throw new IllegalArgumentException("lease time to live too long: " + window);
                }
            }
        }
        this.scope = scope;
        this.limit = limit;
        this.window = window;
        this.kind = kind;
        this.periodEndMillis = periodEndMillis;
        this.windowMillis = window.toMillis();
    }

    public String scope() {
        return scope;
    }

    public long limit() {
        return limit;
    }

    public Duration window() {
        return window;
    }

    public Kind kind() {
        return kind;
    }

    public long periodEndMillis() {
        return periodEndMillis;
    }

    /** A rate limit (GCRA): {@code limit} units per {@code window}, refilled continuously. */
    public Limit(String scope, long limit, Duration window) {
        this(scope, limit, window, Kind.RATE, 0);
    }

    /** A rate limit (GCRA): {@code limit} units per {@code window}, refilled continuously. */
    public static Limit of(String scope, long limit, Duration window) {
        return new Limit(scope, limit, window);
    }

    /** {@code limit} units in the UTC calendar day containing {@code now}; resets at the next UTC midnight. */
    public static Limit dailyQuota(String scope, long limit, Instant now) {
        ZonedDateTime start = LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC);
        return quota(scope, limit, start, start.plusDays(1));
    }

    /**
     * {@code limit} units in the UTC calendar month containing {@code now}; resets at the first of the next
     * month 00:00 UTC.
     */
    public static Limit monthlyQuota(String scope, long limit, Instant now) {
        ZonedDateTime start =
                YearMonth.from(now.atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC);
        return quota(scope, limit, start, start.plusMonths(1));
    }

    private static Limit quota(String scope, long limit, ZonedDateTime start, ZonedDateTime end) {
        Duration length = Duration.between(start, end);
        return new Limit(scope, limit, length, Kind.QUOTA, end.toInstant().toEpochMilli());
    }

    /**
     * At most {@code max} leases held at once; a lease not released is forgotten after {@code leaseTtl} (a
     * crashed replica).
     */
    public static Limit parallel(String scope, long max, Duration leaseTtl) {
        return new Limit(scope, max, leaseTtl, Kind.PARALLEL, 0);
    }

    long windowMillis() {
        return windowMillis;
    }

    /** A rate limit's full capacity in debt units (units × window-ms). */
    long capacity() {
        return limit * windowMillis;
    }

    /**
     * What identifies this limit's state: scope and window for a rate, scope and period for a quota ({@code
     * :d20261206} for a UTC day, {@code :m202612} for a UTC month, {@code :p<start>-<end>} otherwise), scope
     * for leases.
     */
    String stateKey() {
        String k = stateKey;
        if (k == null) {
            k = switch (kind) {
                case RATE -> scope + ":" + windowMillis;
                case QUOTA -> scope + ":" + periodLabel();
                case PARALLEL -> scope + ":leases";
            };
            stateKey = k; // a race only computes the same string twice
        }
        return k;
    }

    private String periodLabel() {
        ZonedDateTime end = Instant.ofEpochMilli(periodEndMillis).atZone(ZoneOffset.UTC);
        ZonedDateTime start = end.minus(window);
        boolean midnights =
                start.toLocalTime().toNanoOfDay() == 0 && end.toLocalTime().toNanoOfDay() == 0 && start.getNano() == 0;
        if (midnights && start.plusDays(1).equals(end)) {
            return "d" + DAY.format(start);
        }
        if (midnights && start.getDayOfMonth() == 1 && start.plusMonths(1).equals(end)) {
            return "m" + MONTH.format(start);
        }
        return "p" + start.toInstant().toEpochMilli() + "-" + periodEndMillis;
    }

    /** A check of this limit costing {@code cost} units (a rate or a quota). */
    public LimitCheck cost(long cost) {
        return new LimitCheck(this, cost);
    }

    /** A check taking the lease {@code id} of this {@link Kind#PARALLEL} limit. */
    public LimitCheck lease(String id) {
        return new LimitCheck(this, 1, id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Limit l
                && limit == l.limit
                && periodEndMillis == l.periodEndMillis
                && kind == l.kind
                && scope.equals(l.scope)
                && window.equals(l.window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope, limit, window, kind, periodEndMillis);
    }

    @Override
    public String toString() {
        return "Limit[scope=" + scope + ", limit=" + limit + ", window=" + window + ", kind=" + kind
                + ", periodEndMillis=" + periodEndMillis + "]";
    }
}
