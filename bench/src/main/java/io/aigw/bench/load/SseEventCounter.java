package io.aigw.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Counts server-sent events incrementally, however the bytes are split across reads or HTTP chunks.
 * An event is dispatched at a blank line; it counts as a JSON event when one of its {@code data:}
 * lines starts with <code>{</code>, and as the end marker when a {@code data:} line is {@code [DONE]}.
 * Lines end with LF or CRLF. Only the first bytes of each line are kept, so memory is constant.
 */
public final class SseEventCounter implements ByteProcessor {

    private static final int KEEP = 16;

    private final byte[] line = new byte[KEEP];
    private int lineLen;
    private boolean pendingJson;
    private boolean pendingDone;

    private int jsonEvents;
    private boolean done;
    private boolean eventAfterDone;

    public void reset() {
        lineLen = 0;
        pendingJson = false;
        pendingDone = false;
        jsonEvents = 0;
        done = false;
        eventAfterDone = false;
    }

    public void feed(ByteBuf buf) {
        if (buf.isReadable()) {
            buf.forEachByte(this);
        }
    }

    @Override
    public boolean process(byte b) {
        if (b == '\n') {
            endLine();
        } else if (b != '\r') {
            if (lineLen < KEEP) {
                line[lineLen] = b;
            }
            lineLen++;
        }
        return true;
    }

    private void endLine() {
        if (lineLen == 0) {
            if (pendingJson) {
                jsonEvents++;
                if (done) {
                    eventAfterDone = true;
                }
            }
            if (pendingDone) {
                if (done) {
                    eventAfterDone = true;
                }
                done = true;
            }
            pendingJson = false;
            pendingDone = false;
            return;
        }
        int n = Math.min(lineLen, KEEP);
        if (n >= 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':') {
            int v = 5;
            if (v < n && line[v] == ' ') {
                v++;
            }
            if (v < n && line[v] == '{') {
                pendingJson = true;
            } else if (v + 6 <= n
                    && line[v] == '['
                    && line[v + 1] == 'D'
                    && line[v + 2] == 'O'
                    && line[v + 3] == 'N'
                    && line[v + 4] == 'E'
                    && line[v + 5] == ']') {
                pendingDone = true;
            }
        }
        lineLen = 0;
    }

    /** Complete events with JSON data seen so far (the {@code [DONE]} marker excluded). */
    public int jsonEvents() {
        return jsonEvents;
    }

    /** Whether a {@code data: [DONE]} event was seen. */
    public boolean done() {
        return done;
    }

    /** True when {@code [DONE]} was the last event: seen, and nothing after it. */
    public boolean endedWithDone() {
        return done && !eventAfterDone;
    }
}
