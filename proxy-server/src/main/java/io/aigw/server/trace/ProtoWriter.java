package io.aigw.server.trace;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A protobuf encoder over one growable array, reused batch after batch by the exporter thread. A
 * nested message is opened with {@link #begin}, which reserves the five bytes its length can need,
 * and closed with {@link #end}, which writes the length in as few bytes as it takes and moves the
 * body up behind it: the output is canonical protobuf, and nothing is sized twice.
 */
final class ProtoWriter {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LEN = 2;
    private static final int WIRE_FIXED32 = 5;
    private static final int RESERVED = 5; // a length below 2^35 fits in five varint bytes
    // opentelemetry-proto's common.v1 KeyValue and AnyValue.
    private static final int KV_KEY = 1;
    private static final int KV_VALUE = 2;
    private static final int ANY_STRING = 1;
    private static final int ANY_BOOL = 2;
    private static final int ANY_INT = 3;
    private static final int ANY_DOUBLE = 4;

    private byte[] buf;
    private int pos;
    private int[] open = new int[16];
    private int depth;

    ProtoWriter(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    byte[] array() {
        return buf;
    }

    int size() {
        return pos;
    }

    void reset() {
        pos = 0;
        depth = 0;
    }

    /** Opens the length-delimited field {@code field}; every {@code begin} is closed by one {@link #end}. */
    void begin(int field) {
        tag(field, WIRE_LEN);
        ensure(RESERVED);
        if (depth == open.length) {
            open = Arrays.copyOf(open, depth * 2);
        }
        open[depth++] = pos;
        pos += RESERVED;
    }

    void end() {
        int start = open[--depth];
        int bodyStart = start + RESERVED;
        int length = pos - bodyStart;
        int lengthBytes = varintSize(length);
        int at = start;
        long v = length;
        while ((v & ~0x7FL) != 0) {
            buf[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[at++] = (byte) v;
        if (lengthBytes < RESERVED) {
            System.arraycopy(buf, bodyStart, buf, start + lengthBytes, length);
            pos -= RESERVED - lengthBytes;
        }
    }

    void string(int field, String s) {
        bytes(field, s.getBytes(StandardCharsets.UTF_8)); // an unpaired surrogate becomes '?'
    }

    void bytes(int field, byte[] value) {
        tag(field, WIRE_LEN);
        rawVarint(value.length);
        raw(value);
    }

    /**
     * A {@code KeyValue} attribute (field {@code field} of its parent) whose key is {@code keyField},
     * the key's field already encoded ({@link #keyField}), with a string value. Sized up front: an
     * attribute is the commonest message in a span, and this writes it in one pass.
     */
    void stringAttribute(int field, byte[] keyField, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        int any = 1 + varintSize(v.length) + v.length;
        attributeHead(field, keyField, any);
        tag(ANY_STRING, WIRE_LEN);
        rawVarint(v.length);
        raw(v);
    }

    void intAttribute(int field, byte[] keyField, long value) {
        attributeHead(field, keyField, 1 + varintSize(value));
        tag(ANY_INT, WIRE_VARINT);
        rawVarint(value);
    }

    void boolAttribute(int field, byte[] keyField, boolean value) {
        attributeHead(field, keyField, 2);
        tag(ANY_BOOL, WIRE_VARINT);
        rawVarint(value ? 1 : 0);
    }

    void doubleAttribute(int field, byte[] keyField, double value) {
        attributeHead(field, keyField, 9);
        fixed64(ANY_DOUBLE, Double.doubleToRawLongBits(value));
    }

    private void attributeHead(int field, byte[] keyField, int anyLength) {
        int kv = keyField.length + 1 + varintSize(anyLength) + anyLength;
        tag(field, WIRE_LEN);
        rawVarint(kv);
        raw(keyField);
        tag(KV_VALUE, WIRE_LEN);
        rawVarint(anyLength);
    }

    /** The key field of a {@code KeyValue} ({@code key = 1}), encoded once for every attribute with that key. */
    static byte[] keyField(String key) {
        ProtoWriter w = new ProtoWriter(key.length() + 8);
        w.string(KV_KEY, key);
        return Arrays.copyOf(w.buf, w.pos);
    }

    /** A bytes field from lower-case hex digits (trace and span ids as the exchange holds them). */
    void hexBytes(int field, String hex) {
        int n = hex.length() / 2;
        tag(field, WIRE_LEN);
        rawVarint(n);
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[pos++] =
                    (byte) ((Character.digit(hex.charAt(2 * i), 16) << 4) | Character.digit(hex.charAt(2 * i + 1), 16));
        }
    }

    /** An 8-byte id field, big-endian (the order its hex form is read in). */
    void longBytes(int field, long id) {
        tag(field, WIRE_LEN);
        rawVarint(8);
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (id >>> shift);
        }
    }

    void varint(int field, long value) {
        tag(field, WIRE_VARINT);
        rawVarint(value);
    }

    void fixed64(int field, long value) {
        tag(field, WIRE_FIXED64);
        ensure(8);
        for (int shift = 0; shift < 64; shift += 8) {
            buf[pos++] = (byte) (value >>> shift);
        }
    }

    void fixed32(int field, int value) {
        tag(field, WIRE_FIXED32);
        ensure(4);
        for (int shift = 0; shift < 32; shift += 8) {
            buf[pos++] = (byte) (value >>> shift);
        }
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }
}
