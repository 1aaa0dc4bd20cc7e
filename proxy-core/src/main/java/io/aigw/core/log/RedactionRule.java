package io.aigw.core.log;

import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One redaction rule: a compiled pattern whose matches become {@code [REDACTED:name]}. Immutable and
 * thread-safe (a {@link Pattern} is; each call makes its own {@link Matcher}).
 *
 * <p>Besides the pattern a built-in rule carries a cheap pre-check of the whole text (most text has
 * no {@code @}, too few digits, no {@code sk-}: the regex never runs on it), the chars a match can
 * start with (the regex is tried only there, not at every position), a {@link Check} of each match
 * that a regex cannot express (the Luhn sum of a card number), and the group to replace (so
 * {@code password=hunter22} keeps {@code password=}). A custom rule is just its regex.
 */
public final class RedactionRule {
    /** A test of a match (the chars {@code [start, end)} of text) beyond what the regex says. */
    @FunctionalInterface
    interface Check {
        Check ANY = (text, start, end) -> true;

        boolean accept(CharSequence text, int start, int end);
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final String name;
    private final String marker;
    private final Pattern pattern;
    private final int group;
    private final Predicate<String> mayMatch;
    private final Check check;
    /** ASCII chars a match can start with, or null to let the regex try every position. */
    private final boolean[] startChars;
    /** ASCII chars that, just before a position, rule a match out there (the pattern's look-behind). */
    private final boolean[] notAfter;

    private RedactionRule(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.marker = "[REDACTED:" + name + "]";
        this.pattern = Objects.requireNonNull(b.pattern, "pattern");
        this.group = b.group;
        this.mayMatch = b.mayMatch;
        this.check = b.check;
        this.startChars = b.startChars;
        this.notAfter = b.notAfter;
    }

    /**
     * A rule from configuration: every non-empty match of the Java regex is replaced.
     *
     * @throws IllegalArgumentException naming the rule when the name is not 1-64 of
     *     {@code [A-Za-z0-9_.-]} or the regex does not compile
     */
    public static RedactionRule custom(String name, String regex) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("redaction rule name must be 1-64 of [A-Za-z0-9_.-]: '" + name + "'");
        }
        if (regex == null || regex.isEmpty()) {
            throw new IllegalArgumentException("redaction rule '" + name + "': empty regex");
        }
        try {
            return new Builder(name, Pattern.compile(regex)).build();
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "redaction rule '" + name + "': invalid regex: " + e.getDescription() + " near index "
                            + e.getIndex(),
                    e);
        }
    }

    public String name() {
        return name;
    }

    /** The text that replaces a match: {@code [REDACTED:name]}. */
    public String marker() {
        return marker;
    }

    /** Text with every accepted match replaced by the marker; the same instance when nothing matched. */
    public String apply(String text) {
        if (text.isEmpty() || !mayMatch.test(text)) {
            return text;
        }
        return startChars == null ? applyEverywhere(text) : applyAtStarts(text);
    }

    private String applyEverywhere(String text) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            int start = m.start(group);
            int end = m.end(group);
            // An empty match (a custom "a*") or an unused group redacts nothing; skipping keeps markers out of thin
            // air.
            if (start < 0 || start == end || !check.accept(text, start, end)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16);
            }
            out.append(text, last, start).append(marker);
            last = end;
        }
        return out == null ? text : out.append(text, last, text.length()).toString();
    }

    /**
     * Tries the pattern only where a match can begin: a start char not preceded by a char that rules
     * it out. A table look-up per char instead of a regex attempt per char, several times faster on
     * text that holds, say, digits but no card number.
     */
    private String applyAtStarts(String text) {
        Matcher m = null;
        StringBuilder out = null;
        int last = 0;
        int n = text.length();
        char prev = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean candidate = c < 128 && startChars[c] && (i == 0 || prev >= 128 || !notAfter[prev]);
            prev = c;
            if (!candidate) {
                continue;
            }
            if (m == null) {
                m = pattern.matcher(text).useTransparentBounds(true); // look-behind sees before the region
            }
            m.region(i, n);
            if (!m.lookingAt()) {
                continue;
            }
            int start = m.start(group);
            int end = m.end(group);
            if (start < 0 || start == end || !check.accept(text, start, end)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16);
            }
            out.append(text, last, start).append(marker);
            last = end;
            i = m.end() - 1;
            prev = text.charAt(i);
        }
        return out == null ? text : out.append(text, last, text.length()).toString();
    }

    @Override
    public String toString() {
        return name + ": " + pattern.pattern();
    }

    /** For the built-in rules: everything but the name and pattern is optional. */
    static final class Builder {
        private final String name;
        private final Pattern pattern;
        private int group;
        private Predicate<String> mayMatch = text -> true;
        private Check check = Check.ANY;
        private boolean[] startChars;
        private boolean[] notAfter = new boolean[128];

        Builder(String name, Pattern pattern) {
            this.name = name;
            this.pattern = pattern;
        }

        /** The group replaced (default 0, the whole match). */
        Builder group(int group) {
            this.group = group;
            return this;
        }

        /** A cheap test of the whole text: false when the pattern cannot match anywhere in it. */
        Builder when(Predicate<String> mayMatch) {
            this.mayMatch = mayMatch;
            return this;
        }

        Builder check(Check check) {
            this.check = check;
            return this;
        }

        /** The chars a match starts with, as a regex-like class body: {@code "A-Za-z0-9_-"}; ASCII only. */
        Builder startsWith(String charClass) {
            this.startChars = chars(charClass);
            return this;
        }

        /** The chars the pattern's look-behind refuses before a match; ASCII only. */
        Builder notAfter(String charClass) {
            this.notAfter = chars(charClass);
            return this;
        }

        RedactionRule build() {
            return new RedactionRule(this);
        }

        /** A class body of chars and ranges ({@code a-z}); a {@code -} first or last is itself. */
        static boolean[] chars(String charClass) {
            boolean[] table = new boolean[128];
            for (int i = 0; i < charClass.length(); i++) {
                char from = charClass.charAt(i);
                char to = from;
                if (i + 2 < charClass.length() && charClass.charAt(i + 1) == '-') {
                    to = charClass.charAt(i + 2);
                    i += 2;
                }
                for (char c = from; c <= to; c++) {
                    table[c] = true;
                }
            }
            return table;
        }
    }
}
