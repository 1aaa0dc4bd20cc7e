package io.aigw.adapters.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written scan of an answer agrees with Jackson's reading wherever it answers at all, and
 * answers for the answers providers actually send.
 */
class CompletionScanTest {
    private static final List<String> ANSWERS = List.of(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1733000000,\"model\":\"gpt-4o\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! \\u00e9\\n\","
                    + "\"refusal\":null,\"tool_calls\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":0}},\"system_fingerprint\":\"fp_1\"}",
            "{\"choices\":[{\"finish_reason\":\"length\"},{\"finish_reason\":\"stop\"},7,null],"
                    + "\"usage\":{\"prompt_tokens\":3,\"total_tokens\":-4,\"prompt_tokens_details\":null}}",
            "  {\"usage\":{\"prompt_tokens\":\"3\",\"completion_tokens\":true,\"total_tokens\":[1]},"
                    + "\"usage\":null,\"choices\":null,\"x\":[1.5e3,-0.25,0,{\"a\":[{}]},\"\\\"q\\\\\"]}\n",
            "{\"choices\":[{\"message\":{\"content\":\"Grüße, 世界 😀\"},\"finish_reason\":\"tool_calls\"}]}",
            "{\"object\":\"list\",\"data\":[{\"embedding\":[0.1,-0.2,3E-5]}],\"usage\":{\"prompt_tokens\":8,"
                    + "\"total_tokens\":8}}",
            "{}",
            "[]",
            "",
            "   ",
            "nul",
            "{\"usage\":{\"prompt_tokens\":1.0}}",
            "{\"usage\":{\"prompt_tokens\":12345678901234567890}}",
            "{\"choices\":[{\"finish_reason\":\"st\\u006fp\"}]}",
            "{\"us\\u0061ge\":{\"prompt_tokens\":1}}",
            "{\"a\":1,}",
            "{\"a\":01}",
            "{\"a\":1}trailing garbage is never read",
            "\uFEFF{\"usage\":{\"prompt_tokens\":1}}");

    private static ByteBuf heap(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }

    private static ByteBuf direct(byte[] b) {
        ByteBuf d = Unpooled.directBuffer(b.length + 1);
        d.writeByte('x').writeBytes(b).readerIndex(1);
        return d;
    }

    private static ByteBuf composite(byte[] b) {
        int half = b.length / 2;
        CompositeByteBuf c = Unpooled.compositeBuffer();
        c.addComponent(true, Unpooled.directBuffer(half).writeBytes(b, 0, half));
        c.addComponent(true, Unpooled.directBuffer(b.length - half + 1).writeBytes(b, half, b.length - half));
        return c;
    }

    /** Asserts agreement on every kind of buffer; returns whether the scan answered. */
    private static boolean agree(byte[] doc) {
        ByteBuf reference = heap(doc);
        CompletionFacts jackson = CompletionFacts.byJackson(reference);
        boolean answered = false;
        for (ByteBuf buf : List.of(heap(doc), direct(doc), composite(doc))) {
            try {
                int reader = buf.readerIndex();
                CompletionFacts scanned = CompletionScan.read(buf);
                if (scanned != null) {
                    answered = true;
                    assertEquals(jackson, scanned, () -> "on " + HexFormat.of().formatHex(doc));
                }
                assertEquals(jackson, CompletionFacts.of(buf));
                assertEquals(reader, buf.readerIndex());
            } finally {
                buf.release();
            }
        }
        return answered;
    }

    @Test
    void agreesWithJacksonOnAnswersAndOddities() {
        for (String a : ANSWERS) {
            agree(a.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void answersTheCommonShapesItself() {
        CompletionFacts f = CompletionScan.read(heap(ANSWERS.get(0).getBytes(StandardCharsets.UTF_8)));
        assertNotNull(f);
        assertEquals(new Usage(19, 10, 29, 0), f.usage());
        assertEquals("stop", f.finishReason());
        for (int i = 0; i < 5; i++) {
            assertTrue(agree(ANSWERS.get(i).getBytes(StandardCharsets.UTF_8)), ANSWERS.get(i));
        }
    }

    @Test
    void leavesToJacksonWhatItIsNotCertainOf() {
        for (String s : List.of(
                "{\"usage\":{\"prompt_tokens\":1.0}}",
                "{\"choices\":[{\"finish_reason\":\"st\\u006fp\"}]}",
                "{\"us\\u0061ge\":{}}",
                "\uFEFF{}",
                "{\"a\":01}",
                "{\"a\":1,}",
                "{\"a\":\"x")) {
            assertNull(CompletionScan.read(heap(s.getBytes(StandardCharsets.UTF_8))), s);
        }
    }

    @Test
    void agreesWithJacksonOnMutatedAnswers() {
        Random r = new Random(19);
        byte[] alphabet = "{}[]\":,.-+eE0123456789 \n\t\\/untrlsfa_\u00e9\u4e16\u0001".getBytes(StandardCharsets.UTF_8);
        int answered = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] doc = ANSWERS.get(r.nextInt(5)).getBytes(StandardCharsets.UTF_8);
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits && doc.length > 1; e++) {
                int at = r.nextInt(doc.length);
                byte[] next;
                switch (r.nextInt(4)) {
                    case 0 -> { // delete
                        next = new byte[doc.length - 1];
                        System.arraycopy(doc, 0, next, 0, at);
                        System.arraycopy(doc, at + 1, next, at, doc.length - at - 1);
                    }
                    case 1 -> { // insert
                        next = new byte[doc.length + 1];
                        System.arraycopy(doc, 0, next, 0, at);
                        next[at] = alphabet[r.nextInt(alphabet.length)];
                        System.arraycopy(doc, at, next, at + 1, doc.length - at);
                    }
                    case 2 -> { // cut
                        next = java.util.Arrays.copyOf(doc, at);
                    }
                    default -> { // replace, any byte
                        next = doc.clone();
                        next[at] = r.nextBoolean() ? alphabet[r.nextInt(alphabet.length)] : (byte) r.nextInt(256);
                    }
                }
                doc = next;
            }
            if (agree(doc)) {
                answered++;
            }
        }
        assertTrue(answered > 300, "the scan answered " + answered + " of the mutated answers");
    }
}
