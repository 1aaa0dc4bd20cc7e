package io.aigw.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.log.ExchangeRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecordCaptureTest {

    /** Thousands of small SSE chunks, as a long stream sends them: every byte kept in order, up to the cap. */
    @Test
    void manySmallChunksAreCapturedExactlyUpToTheCap() {
        ExchangeRecord r = new ExchangeRecord();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int cap = 64 * 1024;
        for (int i = 0; i < 5_000; i++) {
            byte[] chunk = ("data: {\"n\":" + i + "}\n\n").getBytes(StandardCharsets.US_ASCII);
            expected.write(chunk, 0, chunk.length);
            ByteBuf b = Unpooled.wrappedBuffer(chunk);
            RecordCapture.append(r, b, cap);
            b.release();
        }
        byte[] all = expected.toByteArray();
        assertTrue(all.length > cap);
        assertTrue(r.responseTruncated);
        assertArrayEquals(Arrays.copyOf(all, cap), Arrays.copyOf(r.responseBody, r.responseLength));
    }

    @Test
    void aBodyUnderTheCapIsNotTruncated() {
        ExchangeRecord r = new ExchangeRecord();
        for (String part : new String[] {"{\"a\":", "1}"}) {
            ByteBuf b = Unpooled.copiedBuffer(part, StandardCharsets.UTF_8);
            RecordCapture.append(r, b, 1024);
            b.release();
        }
        assertFalse(r.responseTruncated);
        assertArrayEquals(
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(r.responseBody, r.responseLength));
    }
}
