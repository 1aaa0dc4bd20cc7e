package io.aigw.bench.mock;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A quick byte scan of a JSON request body for the three keys the mock cares about: {@code "model"}
 * (its string value), {@code "stream": true} and {@code "include_usage": true}. Not a parser: it jumps
 * from quote to quote and checks whether a key of interest followed by a colon starts there. Inside a
 * JSON string every quote is escaped, so a quoted key can only match a real key (or a string value
 * that happens to be followed by a colon, which JSON does not allow). The first {@code "model"} wins.
 */
final class RequestScan {

    private static final byte[] MODEL = "model\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAM = "stream\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INCLUDE_USAGE = "include_usage\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

    String model;
    boolean stream;
    boolean includeUsage;

    static RequestScan scan(ByteBuf buf) {
        RequestScan r = new RequestScan();
        int end = buf.writerIndex();
        int pos = buf.readerIndex();
        while (pos < end) {
            int q = buf.indexOf(pos, end, (byte) '"');
            if (q < 0) {
                break;
            }
            int k = q + 1;
            int after;
            if (r.model == null && (after = matchKey(buf, k, end, MODEL)) >= 0) {
                if (after < end && buf.getByte(after) == '"') {
                    int close = buf.indexOf(after + 1, end, (byte) '"');
                    if (close > 0) {
                        r.model = buf.toString(after + 1, close - after - 1, StandardCharsets.UTF_8);
                        pos = close + 1;
                        continue;
                    }
                }
            } else if ((after = matchKey(buf, k, end, STREAM)) >= 0) {
                r.stream |= matches(buf, after, end, TRUE);
            } else if ((after = matchKey(buf, k, end, INCLUDE_USAGE)) >= 0) {
                r.includeUsage |= matches(buf, after, end, TRUE);
            }
            pos = k;
        }
        return r;
    }

    /** If {@code key} (which ends with its closing quote) starts at {@code at} and is followed by a colon, the index after the colon and whitespace; else -1. */
    private static int matchKey(ByteBuf buf, int at, int end, byte[] key) {
        if (!matches(buf, at, end, key)) {
            return -1;
        }
        int i = skipWs(buf, at + key.length, end);
        if (i >= end || buf.getByte(i) != ':') {
            return -1;
        }
        return skipWs(buf, i + 1, end);
    }

    private static int skipWs(ByteBuf buf, int i, int end) {
        while (i < end) {
            byte b = buf.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static boolean matches(ByteBuf buf, int at, int end, byte[] s) {
        if (at + s.length > end) {
            return false;
        }
        for (int j = 0; j < s.length; j++) {
            if (buf.getByte(at + j) != s[j]) {
                return false;
            }
        }
        return true;
    }
}
