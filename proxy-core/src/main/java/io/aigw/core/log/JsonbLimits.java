package io.aigw.core.log;

/**
 * What PostgreSQL's jsonb input refuses in JSON that is otherwise valid, checked token by token
 * while a body is parsed anyway (so a clean body costs a few comparisons more, not a pass more):
 * <ul>
 *   <li>a number outside {@code numeric}'s range: more than 131,072 digits before the decimal point,
 *       more than 16,383 after it (counted as written, so {@code 0e-20000} and {@code 1.50e-16382}
 *       are refused), or an exponent of magnitude 1,073,741,823 or more (even on zero);</li>
 *   <li>a NUL (the escape <code>&#92;u0000</code>) in a string or a field name;</li>
 *   <li>an unpaired surrogate escape such as a lone <code>&#92;ud800</code>.</li>
 * </ul>
 * Checked against PostgreSQL 15 (numeric.c's set_var_from_str and make_result). Nesting deeper than
 * jsonb takes, or numbers longer than its input allows, never get here: Jackson's own limits (1,000
 * levels, 1,000 characters a number) refuse them first, and such a body is stored as text anyway.
 */
final class JsonbLimits {
    static final int MAX_INTEGER_DIGITS = 131_072;
    static final int MAX_FRACTION_DIGITS = 16_383;
    /** set_var_from_str refuses |exponent| >= INT_MAX / 2 before it looks at the digits. */
    static final long MAX_EXPONENT = Integer.MAX_VALUE / 2;

    private JsonbLimits() {}

    /** Whether jsonb refuses the JSON number {@code chars[off, off + len)} (valid JSON number syntax). */
    static boolean refusesNumber(char[] chars, int off, int len) {
        int end = off + len;
        int i = off;
        if (i < end && chars[i] == '-') {
            i++;
        }
        int intDigits = 0; // significant: leading zeros do not count
        for (; i < end && isDigit(chars[i]); i++) {
            if (intDigits > 0 || chars[i] != '0') {
                intDigits++;
            }
        }
        int fracDigits = 0;
        int firstNonZeroFrac = -1; // its index among the fraction's digits
        if (i < end && chars[i] == '.') {
            for (i++; i < end && isDigit(chars[i]); i++) {
                if (firstNonZeroFrac < 0 && chars[i] != '0') {
                    firstNonZeroFrac = fracDigits;
                }
                fracDigits++;
            }
        }
        long exponent = 0;
        if (i < end && (chars[i] == 'e' || chars[i] == 'E')) {
            i++;
            boolean negative = i < end && chars[i] == '-';
            if (i < end && (chars[i] == '-' || chars[i] == '+')) {
                i++;
            }
            for (; i < end && isDigit(chars[i]); i++) {
                exponent = exponent * 10 + (chars[i] - '0');
                if (exponent >= MAX_EXPONENT) {
                    return true;
                }
            }
            exponent = negative ? -exponent : exponent;
        } else if (fracDigits <= MAX_FRACTION_DIGITS && intDigits <= MAX_INTEGER_DIGITS) {
            return false; // the common case: no exponent, a sane length
        }
        if (fracDigits - exponent > MAX_FRACTION_DIGITS) {
            return true; // the scale as written, zero or not
        }
        long digitsBeforePoint;
        if (intDigits > 0) {
            digitsBeforePoint = intDigits + exponent;
        } else if (firstNonZeroFrac >= 0) {
            digitsBeforePoint = exponent - firstNonZeroFrac;
        } else {
            return false; // zero: its weight is not checked
        }
        return digitsBeforePoint > MAX_INTEGER_DIGITS;
    }

    static boolean refusesNumber(String number) {
        return refusesNumber(number.toCharArray(), 0, number.length());
    }

    /** Whether jsonb refuses the (decoded) string: a NUL, or a surrogate not part of a pair. */
    static boolean refusesString(char[] chars, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            char c = chars[i];
            if (c == 0) {
                return true;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                    i++; // a proper pair
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean refusesString(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || Character.isSurrogate(c)) {
                return refusesString(s.toCharArray(), 0, s.length());
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
