package io.aigw.adapters.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Azure's stream as captured in PROTOCOLS.md 5.3: a prompt-filter annotation chunk first, an
 * asynchronous-filter chunk in the middle, the usage-only chunk at the end. Every split point, with
 * each drop option on and off, must give exactly the expected bytes.
 */
class AzureAnnotationStreamTest {
    private static final String PROMPT_ANNOTATION =
            "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
                    + "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false,"
                    + "\"severity\":\"safe\"},\"jailbreak\":{\"filtered\":false,\"detected\":false}}}],\"usage\":null}";
    private static final String ASYNC_ANNOTATION = "data: {\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\","
            + "\"choices\":[{\"index\":0,\"finish_reason\":null,\"content_filter_results\":{\"violence\":{\"filtered\":false,"
            + "\"severity\":\"safe\"}},\"content_filter_offsets\":{\"check_offset\":0,\"start_offset\":0,\"end_offset\":9}}]}";
    private static final String USAGE =
            "data: {\"id\":\"chatcmpl-az\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                    + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}";
    private static final String[] EVENTS = {
        PROMPT_ANNOTATION,
        "data: {\"id\":\"chatcmpl-az\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":\"\"},\"finish_reason\":null,\"content_filter_results\":{}}]}",
        "data: {\"id\":\"chatcmpl-az\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hé there\"},\"finish_reason\":null}]}",
        ASYNC_ANNOTATION,
        "data: {\"id\":\"chatcmpl-az\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}",
        USAGE,
        "data: [DONE]",
    };
    private static final int[] ANNOTATIONS = {0, 3};
    private static final int USAGE_INDEX = 5;

    private static byte[] stream(String eol, int... skip) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < EVENTS.length; i++) {
            final int index = i;
            if (Arrays.stream(skip).noneMatch(s -> s == index)) {
                sb.append(EVENTS[i]).append(eol).append(eol);
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] expected(String eol, boolean dropUsage, boolean dropAnnotations) {
        List<Integer> skip = new ArrayList<>();
        if (dropAnnotations) {
            Arrays.stream(ANNOTATIONS).forEach(skip::add);
        }
        if (dropUsage) {
            skip.add(USAGE_INDEX);
        }
        return stream(eol, skip.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Feeds leak-tracked pooled chunks cut at {@code cuts}, releasing each right after onChunk. */
    private static String run(OpenAiStreamTap tap, byte[] all, Bufs.Kind kind, int... cuts) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        List<ByteBuf> out = new ArrayList<>();
        try (tap) {
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : all.length;
                ByteBuf chunk = Bufs.of(kind, Arrays.copyOfRange(all, from, to));
                try {
                    tap.onChunk(chunk, out);
                } finally {
                    chunk.release();
                }
                Bufs.drain(out, seen);
                from = to;
            }
            tap.onEnd(out);
            Bufs.drain(out, seen);
        }
        return seen.toString(StandardCharsets.UTF_8);
    }

    private static void assertSummary(OpenAiStreamTap tap) {
        assertEquals(new Usage(7, 3, 10, -1), tap.usage());
        assertEquals("content_filter", tap.finishReason(), "the content filter's finish reason is kept");
        assertTrue(tap.sawDone());
        assertFalse(tap.sawError());
        assertEquals(EVENTS.length, tap.events(), "dropped events are still counted");
    }

    @ParameterizedTest
    @CsvSource({"true,true", "true,false", "false,true", "false,false"})
    void everyTwoChunkSplit(boolean dropUsage, boolean dropAnnotations) {
        for (String eol : new String[] {"\n", "\r\n"}) {
            byte[] input = stream(eol);
            String expected = new String(expected(eol, dropUsage, dropAnnotations), StandardCharsets.UTF_8);
            for (int cut = 0; cut <= input.length; cut++) {
                OpenAiStreamTap tap = new OpenAiStreamTap(dropUsage, dropAnnotations);
                assertEquals(expected, run(tap, input, Bufs.Kind.POOLED_HEAP, cut), "cut at " + cut);
                assertSummary(tap);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyThreeChunkSplitAroundTheAnnotations(boolean dropAnnotations) {
        byte[] input = stream("\n");
        String expected = new String(expected("\n", true, dropAnnotations), StandardCharsets.UTF_8);
        // Both cuts inside or next to the first annotation (all ASCII, so chars are bytes); kept
        // small because every run goes through paranoid leak detection.
        int end = PROMPT_ANNOTATION.length() + 4;
        for (int a = 0; a <= end; a += 2) {
            for (int b = a; b <= Math.min(a + 32, input.length); b++) {
                OpenAiStreamTap tap = new OpenAiStreamTap(true, dropAnnotations);
                assertEquals(expected, run(tap, input, Bufs.Kind.POOLED_HEAP, a, b), "cuts at " + a + ", " + b);
                assertSummary(tap);
            }
        }
    }

    @Test
    void pooledBuffersLeakTrackedAcrossSplits() {
        byte[] input = stream("\n");
        String expected = new String(expected("\n", true, true), StandardCharsets.UTF_8);
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            for (int cut = 0; cut <= input.length; cut += 7) {
                OpenAiStreamTap tap = new OpenAiStreamTap(true, true);
                assertEquals(expected, run(tap, input, kind, cut), kind + " cut at " + cut);
                assertSummary(tap);
            }
        }
    }

    @Test
    void chunksThatMustNotBeMistakenForAnnotations() {
        String[] kept = {
            // the usage-only chunk keeps its own switch: it has an id and a usage object
            USAGE,
            // an empty id but a finish reason: the end of a filtered stream is never hidden
            "data: {\"id\":\"\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}",
            // an empty id with usage: accounted and forwarded (drop usage is off here)
            "data: {\"id\":\"\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}",
            // errors are always forwarded
            "data: {\"id\":\"\",\"error\":{\"message\":\"filtered\",\"code\":\"content_filter\"}}",
            "event: error\ndata: {\"choices\":[]}",
            // not JSON: not ours to judge
            "data: {\"id\":\"\"",
        };
        for (String event : kept) {
            String s = event + "\n\n";
            assertEquals(
                    s,
                    run(new OpenAiStreamTap(false, true), s.getBytes(StandardCharsets.UTF_8), Bufs.Kind.POOLED_HEAP),
                    event);
        }
        String[] dropped = {
            "data: {\"choices\":[],\"prompt_annotations\":[]}", // the older sample: no id at all
            "data: {\"id\":null,\"choices\":[]}",
            PROMPT_ANNOTATION,
            ASYNC_ANNOTATION,
        };
        for (String event : dropped) {
            String s = event + "\n\ndata: [DONE]\n\n";
            assertEquals(
                    "data: [DONE]\n\n",
                    run(new OpenAiStreamTap(false, true), s.getBytes(StandardCharsets.UTF_8), Bufs.Kind.POOLED_HEAP),
                    event);
            assertEquals(
                    s,
                    run(new OpenAiStreamTap(true, false), s.getBytes(StandardCharsets.UTF_8), Bufs.Kind.POOLED_HEAP),
                    "drop off: " + event);
        }
    }

    @Test
    void anUnterminatedAnnotationAtTheEndIsForwardedAsItIs() {
        String s = "data: [DONE]\n\n" + PROMPT_ANNOTATION;
        assertEquals(
                s, run(new OpenAiStreamTap(true, true), s.getBytes(StandardCharsets.UTF_8), Bufs.Kind.POOLED_HEAP, 5));
    }
}
