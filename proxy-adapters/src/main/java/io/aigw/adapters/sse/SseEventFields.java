package io.aigw.adapters.sse;

/**
 * The fields of one SSE event that the proxy reads: the data payload (data lines joined with LF,
 * per the SSE spec) and whether the event is named {@code error}. A single data line, the usual
 * case, is referenced in place; several are joined into a reused array. Not thread-safe.
 */
public final class SseEventFields {
    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] ERROR = {'e', 'r', 'r', 'o', 'r'};

    private byte[] joined = new byte[0];
    private byte[] data;
    private int dataOffset;
    private int dataLength;
    private int dataLines;
    private boolean errorEvent;

    /** Reads the event in {@code bytes[offset, offset+length)}; the array must outlive the reads. */
    public void parse(byte[] bytes, int offset, int length) {
        data = null;
        dataOffset = dataLength = dataLines = 0;
        errorEvent = false;
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int eol = i;
            while (eol < end && bytes[eol] != '\n' && bytes[eol] != '\r') {
                eol++;
            }
            int v = valueStart(bytes, i, eol, DATA);
            if (v >= 0) {
                addData(bytes, v, eol - v);
            } else if ((v = valueStart(bytes, i, eol, EVENT)) >= 0) {
                errorEvent = eol - v == ERROR.length && regionEquals(bytes, v, ERROR);
            }
            // Lines starting with ':' (comments) and other fields need nothing.
            i = eol + (eol + 1 < end && bytes[eol] == '\r' && bytes[eol + 1] == '\n' ? 2 : 1);
        }
    }

    public boolean hasData() {
        return dataLines > 0;
    }

    public byte[] dataArray() {
        return data;
    }

    public int dataOffset() {
        return dataOffset;
    }

    public int dataLength() {
        return dataLength;
    }

    public boolean dataStartsWith(byte[] prefix) {
        return dataLength >= prefix.length && regionEquals(data, dataOffset, prefix);
    }

    public boolean isErrorEvent() {
        return errorEvent;
    }

    /** For a line "name" or "name:value" returns where the value starts (one space skipped), else -1. */
    private static int valueStart(byte[] b, int from, int eol, byte[] name) {
        int n = name.length;
        if (eol - from < n || !regionEquals(b, from, name)) {
            return -1;
        }
        int v = from + n;
        if (v == eol) {
            return v;
        }
        if (b[v] != ':') {
            return -1;
        }
        v++;
        return v < eol && b[v] == ' ' ? v + 1 : v;
    }

    private void addData(byte[] b, int from, int len) {
        if (++dataLines == 1) {
            data = b;
            dataOffset = from;
            dataLength = len;
            return;
        }
        int need = dataLength + 1 + len;
        if (data != joined || joined.length < need) { // first join, or out of room
            byte[] grown = joined.length >= need ? joined : new byte[Math.max(need, 2 * joined.length)];
            System.arraycopy(data, dataOffset, grown, 0, dataLength);
            joined = grown;
            data = grown;
            dataOffset = 0;
        }
        joined[dataLength] = '\n';
        System.arraycopy(b, from, joined, dataLength + 1, len);
        dataLength = need;
    }

    private static boolean regionEquals(byte[] b, int from, byte[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (b[from + k] != expected[k]) {
                return false;
            }
        }
        return true;
    }
}
