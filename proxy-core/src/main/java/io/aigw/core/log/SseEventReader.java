package io.aigw.core.log;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits Server-Sent Events into events, per the HTML spec's parsing rules: lines end in
 * {@code \n}, {@code \r\n} or {@code \r}; a blank line ends an event; a line starting with {@code :}
 * is a comment; {@code field: value} loses one space after the colon; several {@code data} lines join
 * with {@code \n}. Fields other than {@code event} and {@code data} ({@code id}, {@code retry}) do
 * not matter to a log and are skipped.
 *
 * <p>Works on the UTF-8 bytes (every delimiter is ASCII, so no decoding is needed to find them), and
 * hands each event's data over as a range of those bytes: a stream is hundreds of events, and the
 * JSON parser reads bytes fastest.
 *
 * <p>Unlike a browser, an event still open at the end of the bytes is delivered too: a stream cut by
 * the capture limit ends mid-event, and its last data may still be whole (if not, the reader of the
 * data finds out).
 */
final class SseEventReader {
    interface Listener {
        /**
         * @param event the event's name, or null for the default ({@code message})
         * @param data the bytes holding the data; valid only during the call
         */
        void onEvent(String event, byte[] data, int offset, int length);
    }

    private SseEventReader() {}

    static void read(byte[] sse, Listener listener) {
        new State(sse, listener).run();
    }

    private static final class State {
        private final byte[] in;
        private final Listener listener;
        private String event;
        /** The data so far: a range of {@link #in} for the first line, then a copy once lines join. */
        private byte[] data;

        private int dataOffset;
        private int dataLength = -1; // -1: no data line yet

        State(byte[] in, Listener listener) {
            this.in = in;
            this.listener = listener;
        }

        void run() {
            // A Latin-1 view has one char per byte, so String.indexOf (vectorised) finds line ends at byte offsets.
            String view = new String(in, StandardCharsets.ISO_8859_1);
            int n = in.length;
            int nextLf = view.indexOf('\n');
            int nextCr = view.indexOf('\r');
            int i = 0;
            while (i < n) {
                if (nextLf >= 0 && nextLf < i) {
                    nextLf = view.indexOf('\n', i);
                }
                if (nextCr >= 0 && nextCr < i) {
                    nextCr = view.indexOf('\r', i);
                }
                int end = nextLf < 0 ? (nextCr < 0 ? n : nextCr) : (nextCr < 0 ? nextLf : Math.min(nextLf, nextCr));
                if (end == i) {
                    dispatch();
                } else if (in[i] != ':') {
                    field(i, end);
                }
                i = end + (end + 1 < n && in[end] == '\r' && in[end + 1] == '\n' ? 2 : 1);
            }
            dispatch();
        }

        private void field(int start, int end) {
            int nameEnd = start;
            while (nameEnd < end && in[nameEnd] != ':') {
                nameEnd++;
            }
            int valueStart = nameEnd == end ? end : nameEnd + 1;
            if (valueStart < end && in[valueStart] == ' ') {
                valueStart++;
            }
            if (is(start, nameEnd, "data")) {
                appendData(valueStart, end - valueStart);
            } else if (is(start, nameEnd, "event")) {
                event = new String(in, valueStart, end - valueStart, StandardCharsets.UTF_8);
            }
        }

        private boolean is(int start, int end, String name) {
            if (end - start != name.length()) {
                return false;
            }
            for (int k = 0; k < name.length(); k++) {
                if (in[start + k] != name.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        private void appendData(int offset, int length) {
            if (dataLength < 0) {
                data = in;
                dataOffset = offset;
                dataLength = length;
                return;
            }
            if (data == in) { // a second line: from here on the data is a copy
                data = Arrays.copyOfRange(in, dataOffset, dataOffset + Math.max(64, (dataLength + length + 1) * 2));
                dataOffset = 0;
            } else if (dataLength + 1 + length > data.length) {
                data = Arrays.copyOf(data, (dataLength + 1 + length) * 2);
            }
            data[dataLength] = '\n';
            System.arraycopy(in, offset, data, dataLength + 1, length);
            dataLength += 1 + length;
        }

        private void dispatch() {
            if (dataLength >= 0) {
                listener.onEvent(event, data, dataOffset, dataLength);
            }
            event = null;
            data = null;
            dataLength = -1;
        }
    }
}
