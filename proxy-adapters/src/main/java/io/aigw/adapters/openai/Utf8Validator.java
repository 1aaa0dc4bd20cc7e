package io.aigw.adapters.openai;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * Strict UTF-8 check (RFC 3629). Jackson rejects most bad bytes but accepts overlong forms such as
 * {@code C0 A2} (an overlong quote) and encoded surrogates; a lenient upstream could decode those
 * differently from us, which would let a client smuggle structure past the scan. ASCII, the bulk of
 * any body (base64 images included), is checked eight bytes at a time.
 */
final class Utf8Validator {
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8Validator() {}

    /** Offset (from readerIndex) of the first byte of an invalid sequence, or -1 when all valid. */
    static int firstInvalid(ByteBuf body) {
        int from = body.readerIndex();
        int len = body.readableBytes();
        if (body.nioBufferCount() > 1) {
            // HttpObjectAggregator's CompositeByteBuf: nioBuffer() would copy the whole body into
            // a new heap buffer, so check the parts in place.
            return firstInvalid(body, from, len, body.nioBuffers(from, len));
        }
        ByteBuffer b = body.nioBuffer(from, len);
        int base = b.position();
        int end = b.limit();
        int i = base;
        while (i < end) {
            if (i + 8 <= end && (b.getLong(i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int c = b.get(i) & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n = sequenceLength(b, i, end, c);
            if (n < 0) {
                return i - base;
            }
            i += n;
        }
        return -1;
    }

    /** The same check over the body's parts; a sequence may start in one part and end in a later one. */
    private static int firstInvalid(ByteBuf body, int from, int len, ByteBuffer[] parts) {
        int pos = 0; // body offset of the next byte to check
        int offset = 0; // body offset of the current part's first byte
        for (ByteBuffer b : parts) {
            int base = b.position();
            int end = b.limit();
            int i = base + (pos - offset); // past end when a sequence ran over this whole part
            while (i < end) {
                if (i + 8 <= end && (b.getLong(i) & HIGH_BITS) == 0) {
                    i += 8;
                    continue;
                }
                int c = b.get(i) & 0xFF;
                if (c < 0x80) {
                    i++;
                    continue;
                }
                int n;
                if (i + 4 <= end) {
                    n = sequenceLength(b, i, end, c);
                } else { // near the part's end: gather up to four bytes across the boundary
                    int at = offset + (i - base);
                    ByteBuffer seq = ByteBuffer.allocate(Math.min(4, len - at));
                    body.getBytes(from + at, seq);
                    n = sequenceLength(seq, 0, seq.limit(), c);
                }
                if (n < 0) {
                    return offset + (i - base);
                }
                i += n;
            }
            pos = offset + (i - base);
            offset += end - base;
        }
        return -1;
    }

    /** Length of the valid multi-byte sequence starting with lead byte c at i, or -1. */
    private static int sequenceLength(ByteBuffer b, int i, int end, int c) {
        int tail;
        int lo = 0x80;
        int hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            tail = 1;
        } else if (c == 0xE0) {
            tail = 2;
            lo = 0xA0; // overlong below U+0800
        } else if (c == 0xED) {
            tail = 2;
            hi = 0x9F; // UTF-16 surrogates
        } else if (c >= 0xE1 && c <= 0xEF) {
            tail = 2;
        } else if (c == 0xF0) {
            tail = 3;
            lo = 0x90; // overlong below U+10000
        } else if (c >= 0xF1 && c <= 0xF3) {
            tail = 3;
        } else if (c == 0xF4) {
            tail = 3;
            hi = 0x8F; // above U+10FFFF
        } else {
            return -1; // continuation byte as lead, C0/C1, F5..FF
        }
        if (i + tail >= end) {
            return -1;
        }
        int second = b.get(i + 1) & 0xFF;
        if (second < lo || second > hi) {
            return -1;
        }
        for (int k = 2; k <= tail; k++) {
            if ((b.get(i + k) & 0xC0) != 0x80) {
                return -1;
            }
        }
        return tail + 1;
    }
}
