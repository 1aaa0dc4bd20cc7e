package io.aigw.core.routing;

import java.math.BigDecimal;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Parses the server's requested wait: {@code retry-after-ms} (OpenAI/Azure, milliseconds, may be fractional)
 * wins over {@code Retry-After}, which is either delay-seconds (non-negative, fractions tolerated) or an
 * HTTP-date (RFC 1123, e.g. {@code Wed, 21 Oct 2015 07:28:00 GMT}). A date in the past means 0. Anything
 * unparseable or negative is ignored. Huge values saturate at {@link Long#MAX_VALUE} nanoseconds.
 */
public final class RetryAfter {

    private RetryAfter() {}

    /**
     * @param retryAfter      the {@code Retry-After} header value, or null
     * @param retryAfterMs    the {@code retry-after-ms} header value, or null
     * @param nowEpochMillis  wall-clock now, for HTTP-dates
     * @return the delay in nanoseconds, or empty when neither header gives a usable value
     */
    public static Optional<Long> parse(String retryAfter, String retryAfterMs, long nowEpochMillis) {
        Optional<Long> ms = number(retryAfterMs, TimeUnit.MILLISECONDS.toNanos(1));
        if (ms.isPresent()) {
            return ms;
        }
        if (retryAfter == null) {
            return Optional.empty();
        }
        Optional<Long> seconds = number(retryAfter, TimeUnit.SECONDS.toNanos(1));
        if (seconds.isPresent()) {
            return seconds;
        }
        return date(retryAfter.trim(), nowEpochMillis);
    }

    private static Optional<Long> number(String value, long nanosPerUnit) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.isEmpty() || v.length() > 40) {
            return Optional.empty();
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.') {
                return Optional.empty(); // no sign, exponent, NaN, Infinity
            }
        }
        BigDecimal d;
        try {
            d = new BigDecimal(v);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        BigDecimal nanos = d.multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) {
            return Optional.of(Long.MAX_VALUE);
        }
        return Optional.of(nanos.longValue());
    }

    private static Optional<Long> date(String v, long nowEpochMillis) {
        long at;
        try {
            at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
        long deltaMs = at - nowEpochMillis;
        if (deltaMs <= 0) {
            return Optional.of(0L);
        }
        return Optional.of(deltaMs >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : deltaMs * 1_000_000L);
    }
}
