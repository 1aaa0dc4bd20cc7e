package io.aigw.adapters.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds test input in the buffer shapes the proxy meets, each with bytes before readerIndex. */
public final class Bufs {
    private static final byte[] PREFIX = "PREFIX{\"model\":\"x\"}".getBytes(StandardCharsets.UTF_8);

    private Bufs() {}

    public enum Kind {
        POOLED_HEAP,
        POOLED_DIRECT,
        COMPOSITE
    }

    public static ByteBuf of(Kind kind, String s) {
        return of(kind, s.getBytes(StandardCharsets.UTF_8));
    }

    /** The buffer's readable bytes are exactly {@code bytes}; a prefix sits before readerIndex. */
    public static ByteBuf of(Kind kind, byte[] bytes) {
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        switch (kind) {
            case POOLED_HEAP:
            case POOLED_DIRECT: {
                ByteBuf b = kind == Kind.POOLED_HEAP
                        ? alloc.heapBuffer(PREFIX.length + bytes.length)
                        : alloc.directBuffer(PREFIX.length + bytes.length);
                b.writeBytes(PREFIX).writeBytes(bytes).readerIndex(PREFIX.length);
                return b;
            }
            default: {
                CompositeByteBuf c = alloc.compositeDirectBuffer();
                int half = bytes.length / 2;
                c.addComponent(true, alloc.directBuffer().writeBytes(PREFIX).writeBytes(bytes, 0, half));
                c.addComponent(true, alloc.heapBuffer().writeBytes(bytes, half, bytes.length - half));
                c.readerIndex(PREFIX.length);
                return c;
            }
        }
    }

    public static String utf8(ByteBuf b) {
        return b.toString(b.readerIndex(), b.readableBytes(), StandardCharsets.UTF_8);
    }

    /** Appends the bytes of, and releases, every buffer in {@code out}, then clears it. */
    public static void drain(List<ByteBuf> out, ByteArrayOutputStream into) {
        for (ByteBuf b : out) {
            try {
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                into.writeBytes(bytes);
            } finally {
                b.release();
            }
        }
        out.clear();
    }

    public static void releaseAll(List<ByteBuf> out) {
        for (ByteBuf b : out) {
            b.release();
        }
        out.clear();
    }
}
