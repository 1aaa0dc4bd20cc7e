package io.aigw.adapters.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The multi-part path (an aggregated CompositeByteBuf) must agree with the contiguous one. */
class Utf8ValidatorTest {

    private static final List<byte[]> INPUTS = List.of(
            "{\"content\":\"plain ascii text, long enough for the 8-byte path\"}".getBytes(StandardCharsets.UTF_8),
            "é中😀aé中😀bcdefghijé".getBytes(StandardCharsets.UTF_8),
            new byte[] {'a', 'b', 'c', (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, 'd'},
            new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 'g', (byte) 0xE2, (byte) 0x82}, // truncated at the end
            new byte[] {'a', (byte) 0xC0, (byte) 0xA2, 'b', 'c', 'd', 'e', 'f', 'g', 'h'}, // overlong
            new byte[] {'a', 'b', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'c'}, // surrogate
            new byte[] {'a', 'b', 'c', (byte) 0xE2, 'x', (byte) 0xAC, 'd', 'e'}, // bad continuation
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            new byte[] {'a', (byte) 0xFF, 'b'},
            ("0123456789abcdef".repeat(4) + "é").getBytes(StandardCharsets.UTF_8));

    @Test
    void compositeAgreesWithContiguousForEverySplit() {
        for (byte[] in : INPUTS) {
            int expected = Utf8Validator.firstInvalid(Unpooled.wrappedBuffer(in));
            for (int a = 0; a <= in.length; a++) {
                for (int b = a; b <= in.length; b++) {
                    CompositeByteBuf c = Unpooled.compositeBuffer();
                    c.addComponent(true, direct(in, 0, a));
                    c.addComponent(true, direct(in, a, b - a));
                    c.addComponent(true, direct(in, b, in.length - b));
                    try {
                        assertEquals(expected, Utf8Validator.firstInvalid(c), "split at " + a + "/" + b);
                    } finally {
                        c.release();
                    }
                }
            }
        }
    }

    @Test
    void compositeOfOneBytePartsAndANonZeroReaderIndex() {
        for (byte[] in : INPUTS) {
            CompositeByteBuf c = Unpooled.compositeBuffer(in.length + 2);
            c.addComponent(true, Unpooled.wrappedBuffer(new byte[] {'x', 'y'}));
            for (int i = 0; i < in.length; i++) {
                c.addComponent(true, direct(in, i, 1));
            }
            c.readerIndex(2);
            try {
                assertEquals(Utf8Validator.firstInvalid(Unpooled.wrappedBuffer(in)), Utf8Validator.firstInvalid(c));
                assertEquals(2, c.readerIndex());
            } finally {
                c.release();
            }
        }
    }

    private static ByteBuf direct(byte[] in, int from, int len) {
        return Unpooled.directBuffer(Math.max(len, 1)).writeBytes(in, from, len);
    }
}
