package io.aigw.server.exchange;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * Random ids as lower-case hex strings, made with one allocation of the string's own bytes: the
 * digits are written into a per-thread scratch buffer and copied once into a Latin-1 string, where
 * building a {@code char[]} first costs a second array and a compaction pass. Every request makes
 * two or three of these on the event loop.
 */
public final class HexIds {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Long enough for any prefix used here plus 32 digits. */
    private static final int SCRATCH = 64;

    private static final FastThreadLocal<byte[]> BUFFER = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH];
        }
    };

    private HexIds() {}

    /** 16 hex digits of {@code v}. */
    public static String of(long v) {
        byte[] b = BUFFER.get();
        put(v, b, 0);
        return new String(b, 0, 16, StandardCharsets.ISO_8859_1);
    }

    /** {@code prefix} (ASCII, at most 32 characters) then 32 hex digits of {@code hi} and {@code lo}. */
    public static String of(String prefix, long hi, long lo) {
        byte[] b = BUFFER.get();
        int n = prefix.length();
        for (int i = 0; i < n; i++) {
            b[i] = (byte) prefix.charAt(i);
        }
        put(hi, b, n);
        put(lo, b, n + 16);
        return new String(b, 0, n + 32, StandardCharsets.ISO_8859_1);
    }

    private static void put(long v, byte[] into, int at) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}
