package io.aigw.adapters.sse;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a {@code text/event-stream} byte stream into events (an event ends at a blank line: any
 * two line terminators among CRLF, LF, CR) and relays them as retained slices of the input, never
 * copies. The handler sees each complete event and may drop it; the bytes of kept events are
 * forwarded in runs, so a chunk made only of kept events goes out as one slice. An event that is
 * not complete at the end of a chunk is held (as retained slices) until the chunk that ends it.
 *
 * <p>Not thread-safe: one instance per stream, used on its event loop.
 */
public final class SseEventSplitter implements ByteProcessor, AutoCloseable {

    /** Sees one event's bytes (separator included); the array is only valid during the call. */
    @FunctionalInterface
    public interface EventHandler {
        /** @return true to forward the event, false to drop it (ignored for an incomplete tail) */
        boolean onEvent(byte[] bytes, int offset, int length, boolean complete);
    }

    private final EventHandler handler;
    private final List<ByteBuf> held = new ArrayList<>(2);
    private int heldBytes;
    private byte[] scratch = new byte[0];

    // Line state carried across chunks.
    private boolean lineEmpty = true;
    private boolean pendingCr;
    /** The last event ended on a CR at the end of a chunk: an LF starting the next chunk is its. */
    private boolean lfOwed;

    private boolean lastDropped;

    public SseEventSplitter(EventHandler handler) {
        this.handler = handler;
    }

    /** Does not take ownership of {@code chunk}; appends buffers the caller must write or release. */
    public void split(ByteBuf chunk, List<ByteBuf> out) {
        final int start = chunk.readerIndex();
        final int end = chunk.writerIndex();
        int evStart = start; // first byte of the event being scanned
        int runStart = start; // first byte of kept events not yet emitted
        if (lfOwed && start < end) {
            lfOwed = false;
            if (chunk.getByte(start) == '\n') {
                pendingCr = false;
                evStart = start + 1;
                if (lastDropped) {
                    runStart = evStart; // the separator goes with the event it ended
                }
            }
        }
        while (evStart < end) {
            int hit = chunk.forEachByte(evStart, end - evStart, this);
            if (hit < 0) {
                break;
            }
            int evEnd = hit + 1;
            if (pendingCr) { // ended on a CR: a following LF is part of the same terminator
                if (evEnd < end) {
                    if (chunk.getByte(evEnd) == '\n') {
                        evEnd++;
                    }
                    pendingCr = false;
                } else {
                    lfOwed = true;
                }
            }
            boolean keep = dispatch(chunk, evStart, evEnd, true);
            if (keep) {
                if (!held.isEmpty()) { // the held head precedes everything in this chunk
                    out.addAll(held);
                    held.clear();
                    heldBytes = 0;
                }
            } else {
                releaseHeld();
                if (evStart > runStart) {
                    out.add(chunk.retainedSlice(runStart, evStart - runStart));
                }
                runStart = evEnd;
            }
            lastDropped = !keep;
            evStart = evEnd;
        }
        if (evStart > runStart) {
            out.add(chunk.retainedSlice(runStart, evStart - runStart));
        }
        if (evStart < end) {
            held.add(chunk.retainedSlice(evStart, end - evStart));
            heldBytes += end - evStart;
        }
    }

    /** End of stream: the handler sees the unterminated tail, which is forwarded as it is. */
    public void finish(List<ByteBuf> out) {
        if (!held.isEmpty()) {
            dispatch(null, 0, 0, false);
            out.addAll(held);
            held.clear();
            heldBytes = 0;
        }
        lineEmpty = true;
        pendingCr = lfOwed = lastDropped = false;
    }

    /** Bytes of an unfinished event held back; the relay caps it, since a provider may never end one. */
    public int heldBytes() {
        return heldBytes;
    }

    /** Releases held bytes; idempotent. */
    @Override
    public void close() {
        releaseHeld();
    }

    /** Stops at the byte that completes an event: a line terminator on an empty line. */
    @Override
    public boolean process(byte b) {
        if (b == '\n') {
            if (pendingCr) { // LF of a CRLF already counted at the CR
                pendingCr = false;
                return true;
            }
            if (lineEmpty) {
                return false;
            }
            lineEmpty = true;
            return true;
        }
        if (b == '\r') {
            pendingCr = true;
            if (lineEmpty) {
                return false;
            }
            lineEmpty = true;
            return true;
        }
        pendingCr = false;
        lineEmpty = false;
        return true;
    }

    private boolean dispatch(ByteBuf chunk, int from, int to, boolean complete) {
        int len = to - from;
        if (held.isEmpty() && chunk.hasArray()) { // contiguous heap bytes: no copy
            return handler.onEvent(chunk.array(), chunk.arrayOffset() + from, len, complete);
        }
        // The parse needs contiguous bytes; the relay still forwards the original slices.
        int total = heldBytes + len;
        if (scratch.length < total) {
            scratch = new byte[Math.max(total, Math.min(2 * scratch.length, Integer.MAX_VALUE - 8))];
        }
        int pos = 0;
        for (ByteBuf h : held) {
            int n = h.readableBytes();
            h.getBytes(h.readerIndex(), scratch, pos, n);
            pos += n;
        }
        if (len > 0) {
            chunk.getBytes(from, scratch, pos, len);
        }
        return handler.onEvent(scratch, 0, total, complete);
    }

    private void releaseHeld() {
        for (ByteBuf h : held) {
            h.release();
        }
        held.clear();
        heldBytes = 0;
    }
}
