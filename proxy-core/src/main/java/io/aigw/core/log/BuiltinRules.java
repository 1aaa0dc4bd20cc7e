package io.aigw.core.log;

import io.aigw.core.log.RedactionRule.Check;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The built-in redaction rules. A name may stand for several patterns (a "secret" is one of many
 * key formats); each is kept simple enough to run in linear time on any input:
 * <ul>
 *   <li>every pattern starts with a negative look-behind, so a match can only begin where a token
 *       begins and a long run of letters or digits is not rescanned from each of its positions;
 *   <li>quantifiers are bounded, or their class cannot overlap what follows them;
 *   <li>what a regex cannot say (Luhn, "not a date", "has a digit") is a {@link Check} on the match.
 * </ul>
 * They leave no digits, {@code @} or {@code sk-} in their markers, so a later rule never matches an
 * earlier rule's marker.
 */
final class BuiltinRules {
    /** As configuration lists them. */
    static final List<String> NAMES = List.of("email", "phone", "card", "secret");
    /** The order they run in: secrets and emails hold digits a card or phone rule would claim. */
    static final List<String> RUN_ORDER = List.of("secret", "email", "card", "phone");

    private BuiltinRules() {}

    static List<RedactionRule> named(String name) {
        List<RedactionRule> rules = name == null ? null : RULES.get(name);
        if (rules == null) {
            throw new IllegalArgumentException("unknown redaction rule '" + name + "'; built-in rules are "
                    + String.join(", ", NAMES) + " (custom rules need a regex)");
        }
        return rules;
    }

    // ---- email: local@domain.tld ---------------------------------------------------------------

    private static final String EMAIL_LOCAL = "A-Za-z0-9._%+-";
    /** RFC 5321's limits (64 for the local part, 63 per label) bound the work per candidate; {@code icon@2x.png} is a file. */
    private static final Pattern EMAIL = Pattern.compile("(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}"
            + "@(?!\\d+x\\.)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])");

    // ---- card: 13-19 digits passing Luhn ---------------------------------------------------------

    /**
     * A plain run, or a first group of four and two to four more groups separated by a space or
     * dash (4-4-4-4, Amex 4-6-5, 4-4-4-4-3). The first digit is 2-6 (Mastercard 2-series, Amex,
     * JCB and Diners, Visa, Mastercard, Discover and UnionPay), which keeps out millisecond
     * timestamps (1...) and zero-padded ids; the look-ahead refuses a prefix of a longer number.
     */
    private static final Pattern CARD =
            Pattern.compile("(?<![\\w.+-])[2-6](?:\\d{12,18}|\\d{3}(?:[ -]\\d{2,6}){2,4})(?![\\w]|[ .-]\\d)");

    // ---- phone: international + forms, and national forms only with separators ------------------

    /**
     * One of three forms. A plain run of digits is never a phone here, a token count, id or
     * timestamp is far likelier.
     * <ul>
     *   <li>{@code +} then 7-15 digits, at most two separators between digits: +1 (415) 555-2671,
     *       +44 20 7946 0958, +14155552671;
     *   <li>North American with separators: (415) 555-2671, 415-555-2671, 415.555.2671, 1-800-555-0199;
     *   <li>a trunk 0 and separated groups: 020 7946 0958, 06 12 34 56 78, (030) 1234567, 0171-1234567
     *       (an area code never starts with 0, which keeps out zero-padded lists: 001 002 003).
     * </ul>
     * The look-arounds refuse a piece of a longer number (a version, an IP, a date's tail, a
     * model name's {@code -2024-08-06}).
     */
    private static final Pattern PHONE = Pattern.compile("(?<![\\w+.-])(?:"
            + "\\+(?:\\d[ .()-]{0,2}){6,14}\\d(?![\\w]|[ .-]\\d)"
            + "|(?:1[ .-])?(?:\\(\\d{3}\\) ?|\\d{3}[ .-])\\d{3}[ .-]\\d{4}(?![\\w]|[ .-]\\d)"
            + "|(?:0[1-9]\\d{0,3}|\\(0[1-9]\\d{0,3}\\))(?:[ ./-]\\d{2,8}){1,4}(?![\\w]|[ ./-]\\d))");
    /** Day-month-year written with a leading zero (06.08.2024, 01/02/2024): the trunk form's look-alike. */
    private static final Pattern DATE_DMY = Pattern.compile("0\\d[ ./-]\\d{1,2}[ ./-](?:19|20)\\d\\d");
    /** +3.14159265 is a signed decimal, not a number to call. */
    private static final Pattern SIGNED_DECIMAL = Pattern.compile("\\+\\d+\\.\\d+");

    // ---- secret: provider key formats, bearer tokens, key=value assignments ---------------------

    /** OpenAI and Anthropic ({@code sk-}, {@code sk-proj-}, {@code sk-ant-}), AWS, GitHub, Google, Slack. */
    private static final Pattern KEY_FORMATS = Pattern.compile("(?<![\\w-])(?:"
            + "sk-[A-Za-z0-9_-]{20,}"
            + "|(?:AKIA|ASIA)[0-9A-Z]{16}(?![\\w-])"
            + "|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}"
            + "|AIza[0-9A-Za-z_-]{35}(?![\\w-])"
            + "|xox[abprs]-[A-Za-z0-9-]{10,})");

    private static final String[] KEY_PREFIXES = {
        "sk-", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "AIza", "xox"
    };
    /** Only the token is replaced: "Bearer [REDACTED:secret]" still says what it was. */
    private static final Pattern BEARER =
            Pattern.compile("(?<![A-Za-z0-9])(?i:bearer)[ \\t]+([A-Za-z0-9._~+/-]{16,}=*)");
    /**
     * {@code api_key=...}, {@code "token": "..."}, {@code client_secret: ...} (also with JSON's quotes
     * escaped, as in a body kept as text): the value, when long and random-looking.
     */
    private static final Pattern KEY_ASSIGNMENT = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(?:api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?token"
                    + "|auth[_-]?token|refresh[_-]?token|client[_-]?secret|token|secret|key)"
                    + "(?:\\\\?[\"'])?[ \\t]*[:=][ \\t]*(?:\\\\?[\"'])?([A-Za-z0-9_./+~-]{16,}={0,2})");

    private static final String[] KEY_WORDS = {"key", "token", "secret"};
    /** A password is a secret however guessable it looks, so any value of six characters or more. */
    private static final Pattern PASSWORD_ASSIGNMENT =
            Pattern.compile("(?i)(?<![A-Za-z0-9])(?:password|passwd|passphrase|pwd)"
                    + "(?:\\\\?[\"'])?[ \\t]*[:=][ \\t]*(?:\\\\?[\"'])?([^\\s\"'\\\\,;&<>(){}\\[\\]]{6,})");

    private static final String[] PASSWORD_WORDS = {"password", "passwd", "passphrase", "pwd"};

    private static final String WORD = "A-Za-z0-9_";

    private static final Map<String, List<RedactionRule>> RULES = Map.of(
            "email",
                    List.of(new RedactionRule.Builder("email", EMAIL)
                            .when(text -> text.indexOf('@') >= 0)
                            .startsWith(EMAIL_LOCAL)
                            .notAfter(EMAIL_LOCAL)
                            .build()),
            "card",
                    List.of(new RedactionRule.Builder("card", CARD)
                            .when(digits(13, 4))
                            .check(BuiltinRules::luhn)
                            .startsWith("2-6")
                            .notAfter(WORD + ".+-")
                            .build()),
            "phone",
                    List.of(new RedactionRule.Builder("phone", PHONE)
                            .when(digits(7, 2))
                            .check(BuiltinRules::phoneLike)
                            .startsWith("+(0-9")
                            .notAfter(WORD + "+.-")
                            .build()),
            "secret",
                    List.of(
                            new RedactionRule.Builder("secret", KEY_FORMATS)
                                    .when(text -> containsAny(text, KEY_PREFIXES))
                                    .check(BuiltinRules::keyFormat)
                                    .startsWith("sAgx")
                                    .notAfter(WORD + "-")
                                    .build(),
                            new RedactionRule.Builder("secret", BEARER)
                                    .group(1)
                                    .when(text -> text.contains("earer") || text.contains("EARER"))
                                    .check(BuiltinRules::randomLooking)
                                    .startsWith("bB")
                                    .notAfter("A-Za-z0-9")
                                    .build(),
                            new RedactionRule.Builder("secret", KEY_ASSIGNMENT)
                                    .group(1)
                                    .when(text -> assignsTo(text, KEY_WORDS))
                                    .check(BuiltinRules::randomLooking)
                                    .startsWith("aAsSpPcCrRtTkK")
                                    .notAfter("A-Za-z0-9")
                                    .build(),
                            new RedactionRule.Builder("secret", PASSWORD_ASSIGNMENT)
                                    .group(1)
                                    .when(text -> assignsTo(text, PASSWORD_WORDS))
                                    .startsWith("pP")
                                    .notAfter("A-Za-z0-9")
                                    .build()));

    // ---- pre-checks: cheap scans that say when a pattern cannot match ----------------------------

    /**
     * True when no built-in rule's pre-check can pass on the text: one scan for all of them, where
     * each rule would scan for itself (seven scans per string, most strings of a body being short and
     * clean). It must only ever be a looser test than theirs: every char or run it looks for is one
     * some pre-check needs ({@code @}; {@code :} or {@code =} for an assignment; the first two chars
     * of a key prefix, {@code ub_} of "github_pat_"; {@code rer} of "bearer"; seven digits with two in a row, which a phone needs
     * and a card more than meets). A CharSequence, so a parser's char buffer needs no String.
     */
    static boolean noneCanMatch(CharSequence text) {
        int digits = 0;
        int run = 0;
        boolean twoInARow = false;
        char prev2 = 0;
        char prev = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                twoInARow |= ++run >= 2;
            } else {
                run = 0;
                if (c == '@'
                        || c == ':'
                        || c == '='
                        || prev == 's' && c == 'k'
                        || prev == 'g' && c == 'h'
                        || prev == 'x' && c == 'o'
                        || prev == 'A' && (c == 'K' || c == 'S' || c == 'I')
                        || prev2 == 'u' && prev == 'b' && c == '_' // github_pat_: no "gh" in "github"
                        || prev2 == 'r' && prev == 'e' && c == 'r'
                        || prev2 == 'R' && prev == 'E' && c == 'R') {
                    return false;
                }
            }
            prev2 = prev;
            prev = c;
        }
        return !(digits >= 7 && twoInARow);
    }

    /**
     * As {@link #noneCanMatch(CharSequence)}, for chars in a parser's buffer: the same scan, without
     * a CharBuffer around them (an allocation and an interface call per char, for every string of
     * every body). Keep the two identical.
     */
    static boolean noneCanMatch(char[] text, int offset, int length) {
        int digits = 0;
        int run = 0;
        boolean twoInARow = false;
        char prev2 = 0;
        char prev = 0;
        for (int i = offset, n = offset + length; i < n; i++) {
            char c = text[i];
            if (c >= '0' && c <= '9') {
                digits++;
                twoInARow |= ++run >= 2;
            } else {
                run = 0;
                if (c == '@'
                        || c == ':'
                        || c == '='
                        || prev == 's' && c == 'k'
                        || prev == 'g' && c == 'h'
                        || prev == 'x' && c == 'o'
                        || prev == 'A' && (c == 'K' || c == 'S' || c == 'I')
                        || prev2 == 'u' && prev == 'b' && c == '_' // github_pat_: no "gh" in "github"
                        || prev2 == 'r' && prev == 'e' && c == 'r'
                        || prev2 == 'R' && prev == 'E' && c == 'R') {
                    return false;
                }
            }
            prev2 = prev;
            prev = c;
        }
        return !(digits >= 7 && twoInARow);
    }

    private static boolean containsAny(String text, String[] needles) {
        for (String needle : needles) {
            if (text.indexOf(needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** At least {@code min} digits, and a run of at least {@code minRun} in a row. */
    private static Predicate<String> digits(int min, int minRun) {
        return text -> {
            int count = 0;
            int run = 0;
            int longest = 0;
            for (int i = 0, n = text.length(); i < n; i++) {
                char c = text.charAt(i);
                if (c >= '0' && c <= '9') {
                    count++;
                    longest = Math.max(longest, ++run);
                    if (count >= min && longest >= minRun) {
                        return true;
                    }
                } else {
                    run = 0;
                }
            }
            return false;
        };
    }

    /**
     * Whether some {@code :} or {@code =} follows (past spaces and a quote, maybe escaped) a name
     * ending in one of the words, case aside: the only places an assignment pattern can match.
     */
    static boolean assignsTo(String text, String[] words) {
        int colon = text.indexOf(':');
        int equals = text.indexOf('=');
        while (colon >= 0 || equals >= 0) {
            int at;
            if (equals < 0 || (colon >= 0 && colon < equals)) {
                at = colon;
                colon = text.indexOf(':', colon + 1);
            } else {
                at = equals;
                equals = text.indexOf('=', equals + 1);
            }
            int j = at - 1;
            while (j >= 0 && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
                j--;
            }
            if (j >= 0 && (text.charAt(j) == '"' || text.charAt(j) == '\'')) {
                j--;
                if (j >= 0 && text.charAt(j) == '\\') {
                    j--;
                }
            }
            int nameEnd = j + 1;
            for (String word : words) {
                int from = nameEnd - word.length();
                if (from >= 0 && text.regionMatches(true, from, word, 0, word.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- checks on a match -----------------------------------------------------------------------

    static boolean luhn(CharSequence text, int start, int end) {
        int sum = 0;
        int count = 0;
        for (int i = end - 1; i >= start; i--) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if ((count & 1) == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            count++;
        }
        return count >= 13 && count <= 19 && sum % 10 == 0;
    }

    /** 7-15 digits (E.164's most), and not a signed decimal or a day-month-year date. */
    private static boolean phoneLike(CharSequence text, int start, int end) {
        return digitsBetween(text, start, end, 7, 15)
                && !SIGNED_DECIMAL.matcher(text).region(start, end).matches()
                && !DATE_DMY.matcher(text).region(start, end).matches();
    }

    /** An {@code sk-} key must hold a digit: "sk-learn-style-words" is prose, a real key never lacks one. */
    private static boolean keyFormat(CharSequence text, int start, int end) {
        return text.charAt(start) != 's' || hasDigit(text, start, end);
    }

    private static boolean digitsBetween(CharSequence text, int start, int end, int min, int max) {
        int digits = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            }
        }
        return digits >= min && digits <= max;
    }

    private static boolean hasDigit(CharSequence text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    /** A digit and a letter: keys and tokens have both, words like "authentication-header" do not. */
    private static boolean randomLooking(CharSequence text, int start, int end) {
        boolean digit = false;
        boolean letter = false;
        for (int i = start; i < end && !(digit && letter); i++) {
            char c = text.charAt(i);
            digit |= c >= '0' && c <= '9';
            letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }
        return digit && letter;
    }
}
