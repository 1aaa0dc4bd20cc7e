package io.aigw.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseEventCounterTest {

    private static final String STREAM = "data: {\"a\":1}\n\n: ping\n\nevent: x\ndata: {\"b\":\n data more\n\r\n"
            + "data:{\"c\":3}\r\n\r\ndata: [DONE]\n\n";

    private static void feed(SseEventCounter c, String s, int piece) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += piece) {
            ByteBuf buf = Unpooled.wrappedBuffer(b, i, Math.min(piece, b.length - i));
            try {
                c.feed(buf);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void countsEventsHoweverTheBytesAreSplit() {
        for (int piece = 1; piece <= 9; piece++) {
            SseEventCounter c = new SseEventCounter();
            feed(c, STREAM, piece);
            assertEquals(3, c.jsonEvents(), "piece " + piece);
            assertTrue(c.endedWithDone());
        }
    }

    @Test
    void unfinishedEventsAndEventsAfterDoneAreNotClean() {
        SseEventCounter c = new SseEventCounter();
        feed(c, "data: {}\n\ndata: {}", 4);
        assertEquals(1, c.jsonEvents());
        assertFalse(c.done());

        c.reset();
        feed(c, "data: [DONE]\n\ndata: {}\n\n", 3);
        assertEquals(1, c.jsonEvents());
        assertTrue(c.done());
        assertFalse(c.endedWithDone());
    }
}
