package io.aigw.adapters.openai;

import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written reader of what {@link CompletionFacts#of} takes from a whole answer (usage and the
 * last {@code finish_reason}), for the common small body: it reads every answer of every
 * non-streamed request on the event loop, and a Jackson parser per answer was most of what that
 * cost in allocation (parser, context, buffers, symbol table, one context per nesting level).
 *
 * <p>It is an exact stand-in or nothing: it checks the whole root object as strictly as Jackson
 * does (RFC 8259, no comments, no trailing commas, no leading zeros, valid UTF-8 in strings) and,
 * wherever it is not certain to reach Jackson's answer (an escape in a name or in the finish
 * reason, a usage number that is not a plain integer, deep nesting, bytes it would reject, anything
 * malformed), it gives up ({@link #read} returns null) and the caller asks Jackson. Its own
 * results are those of {@link CompletionReader}, by the same rules: later duplicate keys win,
 * non-numeric counts are -1, only the root object is read.
 */
final class CompletionScan {
    /**
     * Bodies up to this size are scanned (a direct one copied into a per-thread buffer first); bigger
     * ones, rare for chat answers, go to Jackson, and no name or string here nears Jackson's limits.
     */
    static final int MAX_BYTES = 16 * 1024;

    private static final int MAX_DEPTH = 64;

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_BYTES];
        }
    };

    /** Thrown to give up; shared and without a stack trace, as it is control flow. */
    private static final RuntimeException GIVE_UP = new RuntimeException("not certain", null, false, false) {};

    private static final byte[] USAGE = ascii("usage");
    private static final byte[] CHOICES = ascii("choices");
    private static final byte[] FINISH_REASON = ascii("finish_reason");
    private static final byte[] PROMPT_TOKENS = ascii("prompt_tokens");
    private static final byte[] COMPLETION_TOKENS = ascii("completion_tokens");
    private static final byte[] TOTAL_TOKENS = ascii("total_tokens");
    private static final byte[] PROMPT_TOKENS_DETAILS = ascii("prompt_tokens_details");
    private static final byte[] CACHED_TOKENS = ascii("cached_tokens");

    private final byte[] b;
    private final int end;
    private int pos;
    /** Where the last name read starts and ends (its bytes, without the quotes). */
    private int nameFrom;

    private int nameTo;
    private int depth;

    private Usage usage;
    private String lastFinishReason;

    private CompletionScan(byte[] b, int from, int end) {
        this.b = b;
        this.pos = from;
        this.end = end;
    }

    /** The facts of {@code body} (indices untouched), or null when Jackson must decide. */
    static CompletionFacts read(ByteBuf body) {
        int len = body.readableBytes();
        if (len > MAX_BYTES) {
            return null;
        }
        if (body.hasArray()) {
            int from = body.arrayOffset() + body.readerIndex();
            return read(body.array(), from, from + len);
        }
        byte[] scratch = SCRATCH.get();
        body.getBytes(body.readerIndex(), scratch, 0, len);
        return read(scratch, 0, len);
    }

    static CompletionFacts read(byte[] b, int from, int end) {
        CompletionScan s = new CompletionScan(b, from, end);
        try {
            return s.root();
        } catch (RuntimeException e) {
            if (e == GIVE_UP || e instanceof ArrayIndexOutOfBoundsException) {
                return null;
            }
            throw e;
        }
    }

    private CompletionFacts root() {
        skipWs();
        if (pos == end) {
            return CompletionFacts.NONE; // an empty document
        }
        byte c = b[pos];
        if (c != '{') {
            if (c < 0) {
                throw GIVE_UP; // a byte-order mark, perhaps, which Jackson skips
            }
            return CompletionFacts.NONE; // not an object, or not JSON: none either way
        }
        pos++;
        depth = 1;
        if (firstField()) {
            do {
                if (nameIs(USAGE) && peekValue() == '{') {
                    usage = readUsage();
                } else if (nameIs(CHOICES) && peekValue() == '[') {
                    readChoices();
                } else {
                    skipValue();
                }
            } while (nextField());
        }
        return new CompletionFacts(usage == null ? Usage.NONE : usage, lastFinishReason);
    }

    private void readChoices() {
        pos++; // [
        enter();
        skipWs();
        if (at() == ']') {
            pos++;
            depth--;
            return;
        }
        while (true) {
            skipWs();
            if (at() == '{') {
                pos++;
                enter();
                if (firstField()) {
                    do {
                        boolean finish = nameIs(FINISH_REASON);
                        if (finish && peekValue() == '"') {
                            lastFinishReason = plainString();
                        } else {
                            skipValue();
                        }
                    } while (nextField());
                }
            } else {
                skipValue();
            }
            skipWs();
            byte c = at();
            pos++;
            if (c == ']') {
                depth--;
                return;
            }
            if (c != ',') {
                throw GIVE_UP;
            }
        }
    }

    private Usage readUsage() {
        pos++; // {
        enter();
        long prompt = -1, completion = -1, total = -1, cached = -1;
        if (firstField()) {
            do {
                if (nameIs(PROMPT_TOKENS)) {
                    prompt = number();
                } else if (nameIs(COMPLETION_TOKENS)) {
                    completion = number();
                } else if (nameIs(TOTAL_TOKENS)) {
                    total = number();
                } else if (nameIs(PROMPT_TOKENS_DETAILS)) {
                    cached = cachedTokens();
                } else {
                    skipValue();
                }
            } while (nextField());
        }
        return new Usage(prompt, completion, total, cached);
    }

    private long cachedTokens() {
        if (peekValue() != '{') {
            skipValue();
            return -1;
        }
        pos++;
        enter();
        long cached = -1;
        if (firstField()) {
            do {
                if (nameIs(CACHED_TOKENS)) {
                    cached = number();
                } else {
                    skipValue();
                }
            } while (nextField());
        }
        return cached;
    }

    /** A count: a plain integer is its value; a non-number is -1; any other number is Jackson's to read. */
    private long number() {
        byte c = peekValue();
        if (c != '-' && (c < '0' || c > '9')) {
            skipValue();
            return -1;
        }
        int from = pos;
        boolean negative = c == '-';
        if (negative) {
            pos++;
        }
        int digitsFrom = pos;
        long v = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            v = v * 10 + (b[pos++] - '0');
        }
        int digits = pos - digitsFrom;
        if (digits == 0 || digits > 18 || (digits > 1 && b[digitsFrom] == '0')) {
            throw GIVE_UP; // "-", a long integer or a leading zero
        }
        if (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
            throw GIVE_UP; // a fraction or exponent: Jackson's conversion decides
        }
        pos = from;
        skipNumber();
        return negative ? -v : v;
    }

    /** The first byte of the value after a name ({@link #field} left the position there and checked it). */
    private byte peekValue() {
        return b[pos];
    }

    // ---- structure ----

    /** After an object's '{': reads the first name and its colon; false for '{}'. */
    private boolean firstField() {
        skipWs();
        if (at() == '}') {
            pos++;
            depth--;
            return false;
        }
        field();
        return true;
    }

    /** After a value inside an object: ',' and the next name and colon (true), or '}' (false). */
    private boolean nextField() {
        skipWs();
        byte c = at();
        pos++;
        if (c == '}') {
            depth--;
            return false;
        }
        if (c != ',') {
            throw GIVE_UP;
        }
        skipWs();
        field();
        return true;
    }

    /** A name (no escapes, ASCII only), the colon, and the whitespace before the value. */
    private void field() {
        if (at() != '"') {
            throw GIVE_UP;
        }
        int from = ++pos;
        while (true) {
            byte c = at();
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0x20) { // negative bytes (non-ASCII) too
                throw GIVE_UP;
            }
            pos++;
        }
        nameFrom = from;
        nameTo = pos++;
        skipWs();
        if (at() != ':') {
            throw GIVE_UP;
        }
        pos++;
        skipWs();
        at(); // a value must follow
    }

    private boolean nameIs(byte[] name) {
        int n = nameTo - nameFrom;
        if (n != name.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[nameFrom + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private void skipValue() {
        byte c = at();
        switch (c) {
            case '{' -> {
                pos++;
                enter();
                if (firstField()) {
                    do {
                        skipValue();
                    } while (nextField());
                }
            }
            case '[' -> {
                pos++;
                enter();
                skipWs();
                if (at() == ']') {
                    pos++;
                    depth--;
                    return;
                }
                while (true) {
                    skipWs();
                    skipValue();
                    skipWs();
                    byte d = at();
                    pos++;
                    if (d == ']') {
                        depth--;
                        return;
                    }
                    if (d != ',') {
                        throw GIVE_UP;
                    }
                }
            }
            case '"' -> skipString();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    skipNumber();
                } else {
                    throw GIVE_UP;
                }
            }
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw GIVE_UP;
        }
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (at() != word.charAt(i)) {
                throw GIVE_UP;
            }
            pos++;
        }
        endOfToken();
    }

    /** A number by JSON's grammar; the byte after it must end it. */
    private void skipNumber() {
        int from = pos;
        if (at() == '-') {
            pos++;
        }
        byte c = at();
        if (c == '0') {
            pos++;
        } else if (c >= '1' && c <= '9') {
            digits();
        } else {
            throw GIVE_UP;
        }
        if (pos < end && b[pos] == '.') {
            pos++;
            digits();
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (at() == '+' || at() == '-') {
                pos++;
            }
            digits();
        }
        if (pos - from > 100) {
            throw GIVE_UP; // near Jackson's number length limit: let it decide
        }
        endOfToken();
    }

    /** One or more digits. */
    private void digits() {
        byte c = at();
        if (c < '0' || c > '9') {
            throw GIVE_UP;
        }
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
    }

    /** A number or literal ends at whitespace or structure; anything else (or the end) is not ours to judge. */
    private void endOfToken() {
        byte c = at();
        if (!(c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
            throw GIVE_UP;
        }
    }

    /** A string whose value is read: ASCII without escapes, else Jackson decodes it. */
    private String plainString() {
        int from = ++pos;
        while (true) {
            byte c = at();
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0x20) {
                throw GIVE_UP;
            }
            pos++;
        }
        String s = new String(b, from, pos - from, StandardCharsets.ISO_8859_1);
        pos++;
        return s;
    }

    /** A skipped string: valid escapes, no control characters, well-formed UTF-8. */
    private void skipString() {
        pos++;
        while (true) {
            int c = at();
            pos++;
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                escape();
            } else if (c < 0) {
                utf8(c & 0xff);
            } else if (c < 0x20) {
                throw GIVE_UP;
            }
        }
    }

    private void escape() {
        byte c = at();
        pos++;
        switch (c) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {}
            case 'u' -> {
                for (int i = 0; i < 4; i++) {
                    byte h = at();
                    pos++;
                    if (!(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                        throw GIVE_UP;
                    }
                }
            }
            default -> throw GIVE_UP;
        }
    }

    /** The rest of a multi-byte sequence whose lead byte was {@code lead}: strict UTF-8 (RFC 3629). */
    private void utf8(int lead) {
        int more;
        int lo = 0x80, hi = 0xBF; // the allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            more = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            more = 2;
            if (lead == 0xE0) {
                lo = 0xA0; // not overlong
            } else if (lead == 0xED) {
                hi = 0x9F; // not a surrogate
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            more = 3;
            if (lead == 0xF0) {
                lo = 0x90;
            } else if (lead == 0xF4) {
                hi = 0x8F; // not past U+10FFFF
            }
        } else {
            throw GIVE_UP;
        }
        for (int i = 0; i < more; i++) {
            int c = at() & 0xff;
            pos++;
            if (i == 0 ? c < lo || c > hi : c < 0x80 || c > 0xBF) {
                throw GIVE_UP;
            }
        }
    }

    private void skipWs() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    /** The byte at the position; the end of the body is not ours to judge. */
    private byte at() {
        if (pos >= end) {
            throw GIVE_UP;
        }
        return b[pos];
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
