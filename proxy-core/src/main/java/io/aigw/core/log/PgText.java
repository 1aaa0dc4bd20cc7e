package io.aigw.core.log;

/**
 * Makes text PostgreSQL would refuse storable. One refused value fails the whole batch, and a batch
 * that can never be written would be spilled and replayed forever, so the few values PostgreSQL
 * cannot hold are replaced by U+FFFD instead:
 * <ul>
 *   <li>a NUL character anywhere (text cannot hold it);</li>
 *   <li>in jsonb, the escape <code>&#92;u0000</code> and an unpaired surrogate escape such as a
 *       lone <code>&#92;ud83d</code>: valid JSON that jsonb rejects.</li>
 * </ul>
 * SQLite takes all of these as they are. Bodies that are JSON never get here with such escapes:
 * the renderer stores those whole, as flagged JSON strings ({@link JsonbLimits}); this is for the
 * text columns, the headers and an assembled stream, which a client cannot make refused either.
 */
final class PgText {
    private static final String REPLACEMENT = "\\ufffd";

    private PgText() {}

    static String text(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\ufffd');
    }

    static String json(String s) {
        s = text(s);
        if (s == null || !s.contains("\\u")) {
            return s;
        }
        StringBuilder out = null;
        int copied = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '\\') {
                continue;
            }
            int cp = escapedUnit(s, i);
            if (cp < 0) {
                i++; // another escape such as \\ or \": its second character is not an escape start
                continue;
            }
            int end = i + 6;
            boolean refused = cp == 0 || Character.isLowSurrogate((char) cp);
            if (Character.isHighSurrogate((char) cp)) {
                int next = escapedUnit(s, end);
                if (next >= 0 && Character.isLowSurrogate((char) next)) {
                    end += 6; // a proper pair: keep both
                } else {
                    refused = true;
                }
            }
            if (refused) {
                if (out == null) {
                    out = new StringBuilder(s.length());
                }
                out.append(s, copied, i).append(REPLACEMENT);
                copied = end;
            }
            i = end - 1;
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /** The UTF-16 unit of a <code>&#92;uXXXX</code> escape starting at {@code i}, or -1 if none. */
    private static int escapedUnit(String s, int i) {
        if (i + 6 > s.length() || s.charAt(i) != '\\' || s.charAt(i + 1) != 'u') {
            return -1;
        }
        int v = 0;
        for (int k = i + 2; k < i + 6; k++) {
            char c = s.charAt(k);
            int d = c < 128 ? Character.digit(c, 16) : -1; // ASCII only, as JSON has it
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }
}
