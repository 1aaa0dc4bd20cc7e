package io.aigw.adapters.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiStreamTapTest {
    private static final String USAGE_EVENT = "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
            + "\"completion_tokens\":12,\"total_tokens\":21,\"prompt_tokens_details\":{\"cached_tokens\":3}}}";
    private static final String[] EVENTS = {
        ": keep-alive",
        "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}",
        "data:{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hé\\n😀\"},\"finish_reason\":null}],\"usage\":null}",
        "event: message\ndata: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}",
        USAGE_EVENT,
        "data: [DONE]",
    };
    private static final Usage EXPECTED_USAGE = new Usage(9, 12, 21, 3);

    /** The stream with the given line terminator; the event at index {@code skip} left out (-1: none). */
    private static byte[] stream(String eol, int skip) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < EVENTS.length; i++) {
            if (i != skip) {
                sb.append(EVENTS[i].replace("\n", eol)).append(eol).append(eol);
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static final int USAGE_INDEX = 4;

    /** Feeds the chunks (released by the "caller" right after onChunk), returns all bytes emitted. */
    private static byte[] run(OpenAiStreamTap tap, List<ByteBuf> chunks) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        List<ByteBuf> out = new ArrayList<>();
        try (tap) {
            for (ByteBuf chunk : chunks) {
                try {
                    tap.onChunk(chunk, out);
                } finally {
                    chunk.release();
                }
                Bufs.drain(out, seen);
            }
            tap.onEnd(out);
            Bufs.drain(out, seen);
        }
        for (ByteBuf chunk : chunks) {
            if (chunk.capacity() > 0) { // Unpooled.EMPTY_BUFFER never reaches 0
                assertEquals(0, chunk.refCnt(), "every slice of every chunk must have been released");
            }
        }
        return seen.toByteArray();
    }

    private static List<ByteBuf> chunks(byte[] all, int... cuts) {
        List<ByteBuf> list = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            list.add(Unpooled.copiedBuffer(all, from, cut - from));
            from = cut;
        }
        list.add(Unpooled.copiedBuffer(all, from, all.length - from));
        return list;
    }

    private static void assertSummary(OpenAiStreamTap tap) {
        assertEquals(EXPECTED_USAGE, tap.usage());
        assertEquals("stop", tap.finishReason());
        assertTrue(tap.sawDone());
        assertFalse(tap.sawError());
        assertEquals(EVENTS.length, tap.events());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void everyTwoChunkSplitDropsExactlyTheUsageEvent(String eol) {
        byte[] input = stream(eol, -1);
        byte[] expected = stream(eol, USAGE_INDEX);
        for (int cut = 0; cut <= input.length; cut++) {
            OpenAiStreamTap tap = new OpenAiStreamTap(true);
            assertArrayEquals(expected, run(tap, chunks(input, cut)), "cut at " + cut);
            assertSummary(tap);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyThreeChunkSplitAroundTheUsageEvent(boolean drop) {
        byte[] input = stream("\r\n", -1);
        byte[] expected = drop ? stream("\r\n", USAGE_INDEX) : input;
        // Cuts anywhere from the end of the finish event to the end: the usage event, its
        // neighbours and every separator byte around it.
        int from = new String(stream("\r\n", -1), StandardCharsets.UTF_8).indexOf("\"stop\"");
        from = new String(input, 0, from, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8).length;
        for (int a = from; a <= input.length; a++) {
            for (int b = a; b <= input.length; b++) {
                OpenAiStreamTap tap = new OpenAiStreamTap(drop);
                assertArrayEquals(expected, run(tap, chunks(input, a, b)), "cuts at " + a + ", " + b);
                assertSummary(tap);
            }
        }
    }

    @Test
    void byteByByteWithMixedSeparators() {
        String s = "data: {\"choices\":[{\"finish_reason\":\"length\"}]}\n\r\n"
                + USAGE_EVENT + "\r\n\n"
                + ": ping\r\r"
                + "data: [DONE]\n\n";
        byte[] input = s.getBytes(StandardCharsets.UTF_8);
        int[] cuts = new int[input.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        OpenAiStreamTap tap = new OpenAiStreamTap(true);
        byte[] got = run(tap, chunks(input, cuts));
        assertEquals(s.replace(USAGE_EVENT + "\r\n\n", ""), new String(got, StandardCharsets.UTF_8));
        assertEquals("length", tap.finishReason());
        assertEquals(EXPECTED_USAGE, tap.usage());
        assertEquals(4, tap.events());
        assertTrue(tap.sawDone());
    }

    @Test
    void withoutDropEverythingIsForwardedAndStillCounted() {
        byte[] input = stream("\n", -1);
        for (int cut = 0; cut <= input.length; cut += 5) {
            OpenAiStreamTap tap = new OpenAiStreamTap(false);
            assertArrayEquals(input, run(tap, chunks(input, cut)));
            assertSummary(tap);
        }
    }

    @Test
    void leakTrackedPooledBuffersAcrossSplits() {
        byte[] input = stream("\n", -1);
        byte[] expected = stream("\n", USAGE_INDEX);
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            for (int cut = 0; cut <= input.length; cut += 13) {
                List<ByteBuf> list = new ArrayList<>();
                list.add(Bufs.of(kind, java.util.Arrays.copyOfRange(input, 0, cut)));
                list.add(Bufs.of(kind, java.util.Arrays.copyOfRange(input, cut, input.length)));
                OpenAiStreamTap tap = new OpenAiStreamTap(true);
                assertArrayEquals(expected, run(tap, list), kind + " cut at " + cut);
                assertSummary(tap);
            }
        }
    }

    @Test
    void aChunkOfCompleteEventsIsForwardedAsOneSliceOfTheSameMemory() {
        for (Bufs.Kind kind : new Bufs.Kind[] {Bufs.Kind.POOLED_HEAP, Bufs.Kind.POOLED_DIRECT}) {
            ByteBuf chunk = Bufs.of(kind, ": ping\n\ndata: {\"choices\":[]}\n\ndata: [DONE]\n\n");
            List<ByteBuf> out = new ArrayList<>();
            try (OpenAiStreamTap tap = new OpenAiStreamTap(true)) {
                tap.onChunk(chunk, out);
                assertEquals(1, out.size());
                ByteBuf slice = out.get(0);
                assertEquals(Bufs.utf8(chunk), Bufs.utf8(slice));
                assertEquals(2, chunk.refCnt(), "one retain, no copy");
                if (chunk.hasArray()) {
                    assertSame(chunk.array(), slice.array());
                    assertEquals(chunk.arrayOffset() + chunk.readerIndex(), slice.arrayOffset() + slice.readerIndex());
                } else if (chunk.hasMemoryAddress()) {
                    assertEquals(
                            chunk.memoryAddress() + chunk.readerIndex(), slice.memoryAddress() + slice.readerIndex());
                }
                assertEquals(3, tap.events());
            } finally {
                Bufs.releaseAll(out);
                chunk.release();
            }
        }
    }

    @Test
    void aDroppedEventInTheMiddleSplitsTheChunkIntoTwoSlices() {
        String before = "data: {\"choices\":[{\"finish_reason\":\"stop\"}]}\n\n";
        String after = "data: [DONE]\n\n";
        ByteBuf chunk = Bufs.of(Bufs.Kind.POOLED_DIRECT, before + USAGE_EVENT + "\n\n" + after);
        List<ByteBuf> out = new ArrayList<>();
        try (OpenAiStreamTap tap = new OpenAiStreamTap(true)) {
            tap.onChunk(chunk, out);
            assertEquals(2, out.size());
            assertEquals(before, Bufs.utf8(out.get(0)));
            assertEquals(after, Bufs.utf8(out.get(1)));
            assertEquals(EXPECTED_USAGE, tap.usage());
        } finally {
            Bufs.releaseAll(out);
            chunk.release();
        }
    }

    @Test
    void anEventSpanningChunksGoesOutAsHeldPartThenNewPart() {
        ByteBuf c1 = Bufs.of(Bufs.Kind.POOLED_DIRECT, "data: {\"choices\":[{\"finish_");
        ByteBuf c2 = Bufs.of(Bufs.Kind.POOLED_DIRECT, "reason\":\"tool_calls\"}]}\n\ndata: [DO");
        List<ByteBuf> out = new ArrayList<>();
        try (OpenAiStreamTap tap = new OpenAiStreamTap(true)) {
            tap.onChunk(c1, out);
            assertTrue(out.isEmpty());
            tap.onChunk(c2, out);
            assertEquals(2, out.size());
            assertEquals("data: {\"choices\":[{\"finish_", Bufs.utf8(out.get(0)));
            assertEquals("reason\":\"tool_calls\"}]}\n\n", Bufs.utf8(out.get(1)));
            assertEquals("tool_calls", tap.finishReason());
            Bufs.releaseAll(out);
            assertFalse(tap.sawDone());
            tap.onEnd(out); // the partial tail goes out as it is
            assertEquals(1, out.size());
            assertEquals("data: [DO", Bufs.utf8(out.get(0)));
            assertEquals(1, tap.events());
        } finally {
            Bufs.releaseAll(out);
            c1.release();
            c2.release();
        }
    }

    @Test
    void closeReleasesHeldBytesAndIsIdempotent() {
        ByteBuf c = Bufs.of(Bufs.Kind.POOLED_HEAP, "data: {\"partial");
        List<ByteBuf> out = new ArrayList<>();
        OpenAiStreamTap tap = new OpenAiStreamTap(false);
        tap.onChunk(c, out);
        assertEquals(2, c.refCnt());
        tap.close();
        tap.close();
        assertEquals(1, c.refCnt());
        c.release();
    }

    @Test
    void unterminatedDoneAtEndOfStreamIsNoticed() {
        OpenAiStreamTap tap = new OpenAiStreamTap(true);
        byte[] input = "data: [DONE]".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(input, run(tap, chunks(input)));
        assertTrue(tap.sawDone());
        assertEquals(0, tap.events());
    }

    @Test
    void errorsInDataOrEventName() {
        String s =
                "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
        OpenAiStreamTap tap = new OpenAiStreamTap(true);
        assertEquals(s, new String(run(tap, chunks(s.getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8));
        assertTrue(tap.sawError());
        assertEquals(Usage.NONE, tap.usage());

        OpenAiStreamTap named = new OpenAiStreamTap(true);
        run(named, chunks("event: error\ndata: \"overloaded\"\n\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(named.sawError());

        OpenAiStreamTap nullError = new OpenAiStreamTap(true);
        run(nullError, chunks("data: {\"error\":null,\"choices\":[]}\n\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(nullError.sawError());
    }

    @Test
    void unparseableDataIsForwardedUntouched() {
        String s = "data: {not json\n\ndata: {\"usage\":{\"total_tokens\":5}}   trailing\n\ndata: \n\n";
        OpenAiStreamTap tap = new OpenAiStreamTap(true);
        assertEquals(s, new String(run(tap, chunks(s.getBytes(StandardCharsets.UTF_8), 9)), StandardCharsets.UTF_8));
        assertEquals(3, tap.events());
        assertEquals(Usage.NONE, tap.usage());
        assertNull(tap.finishReason());
    }

    @Test
    void multiLineDataAndLenientUsageChunkShapes() {
        String multi =
                "data: {\"choices\":[],\ndata: \"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n";
        String nullChoices =
                "data: {\"choices\":null,\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":5,\"total_tokens\":9}}\n\n";
        String noChoices =
                "data:{\"usage\":{\"prompt_tokens\":6,\"completion_tokens\":7,\"total_tokens\":13.0}}\r\n\r\n";
        String withChoices =
                "data: {\"choices\":[{\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\n";
        OpenAiStreamTap tap = new OpenAiStreamTap(true);
        byte[] in = (multi + nullChoices + noChoices + withChoices).getBytes(StandardCharsets.UTF_8);
        assertEquals(withChoices, new String(run(tap, chunks(in, 3, 70)), StandardCharsets.UTF_8));
        assertEquals(new Usage(1, 1, 2, -1), tap.usage());
        assertEquals("stop", tap.finishReason());

        OpenAiStreamTap earlier = new OpenAiStreamTap(true);
        run(earlier, chunks((multi + nullChoices + noChoices).getBytes(StandardCharsets.UTF_8)));
        assertEquals(new Usage(6, 7, 13, -1), earlier.usage());
    }
}
