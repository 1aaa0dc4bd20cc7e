package io.aigw.adapters.openai;

import static io.aigw.core.exchange.ApiEndpoint.CHAT_COMPLETIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiRequestRewriterTest {
    private static final String USAGE = "\"stream_options\":{\"include_usage\":true}";

    /** Rewrites in every buffer shape, checks they agree and the input is untouched, returns text. */
    private static String rewrite(String body, ApiEndpoint endpoint, String modelId, boolean force) {
        String result = null;
        for (Bufs.Kind kind : Bufs.Kind.values()) {
            ByteBuf in = Bufs.of(kind, body);
            ByteBuf out = null;
            try {
                int ri = in.readerIndex();
                RequestScan scan = RequestScan.scan(in, endpoint);
                out = OpenAiRequestRewriter.rewrite(PooledByteBufAllocator.DEFAULT, in, scan, modelId, force);
                assertEquals(ri, in.readerIndex());
                assertEquals(body, Bufs.utf8(in));
                assertEquals(out.writerIndex(), out.capacity(), "sized exactly");
                String text = Bufs.utf8(out);
                if (result != null) {
                    assertEquals(result, text, kind.name());
                }
                result = text;
            } finally {
                in.release();
                if (out != null) {
                    out.release();
                }
            }
        }
        // The output must itself be a valid request naming the new model.
        RequestScan again = RequestScanTest.scan(result, endpoint);
        assertEquals(modelId, again.model());
        return result;
    }

    private static String chat(String body, boolean force) {
        return rewrite(body, CHAT_COMPLETIONS, "provider-model", force);
    }

    @Test
    void replacesOnlyTheTopLevelModelAndKeepsEveryOtherByte() {
        String body =
                "{ \"messages\" : [ {\"role\":\"user\",\"content\":\"caf\\u00e9 \\\"q\\\" é\",\"model\":\"inner\"} ] ,\n"
                        + "\t\"model\"\t:\t\"gpt-4o\" ,  \"temperature\": 1.50e3, \"n\" : -0.0, \"x\":{\"model\":\"deep\"} }\r\n";
        String expected = body.replace("\"gpt-4o\"", "\"provider-model\"");
        assertEquals(expected, chat(body, false));
    }

    @Test
    void modelAsLastKeyWithEscapingNeeded() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"m\\u0031\"}";
        String out = rewrite(body, CHAT_COMPLETIONS, "a\"b\\c\né/ü", false);
        assertEquals("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"a\\\"b\\\\c\\né/ü\"}", out);
    }

    @Test
    void insertsStreamOptionsBeforeTheRootBraceWhenAbsent() {
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"}\"}] \n}";
        assertEquals(
                "{\"model\":\"provider-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"}\"}] \n,"
                        + USAGE + "}",
                chat(body, true));
    }

    @Test
    void replacesNullStreamOptions() {
        String body = "{\"stream_options\" : null,\"model\":\"m\",\"stream\":true,\"messages\":[{}]}";
        assertEquals(
                "{\"stream_options\" : {\"include_usage\":true},\"model\":\"provider-model\",\"stream\":true,\"messages\":[{}]}",
                chat(body, true));
    }

    @Test
    void addsIncludeUsageToAnEmptyOrFilledStreamOptionsObject() {
        assertEquals(
                "{\"model\":\"provider-model\",\"stream\":true,\"messages\":[{}],\"stream_options\":{\"include_usage\":true}}",
                chat("{\"model\":\"m\",\"stream\":true,\"messages\":[{}],\"stream_options\":{}}", true));
        assertEquals(
                "{\"model\":\"provider-model\",\"stream\":true,\"messages\":[{}],\"stream_options\": {\"include_usage\":true, \"include_obfuscation\": false }}",
                chat(
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}],\"stream_options\": { \"include_obfuscation\": false }}",
                        true));
        assertEquals(
                "{\"stream_options\":{\"include_usage\":true,\"include_usage_x\":1},\"model\":\"provider-model\",\"stream\":true,\"messages\":[{}]}",
                chat(
                        "{\"stream_options\":{\"include_usage_x\":1},\"model\":\"m\",\"stream\":true,\"messages\":[{}]}",
                        true));
    }

    @Test
    void turnsFalseOrNullIncludeUsageIntoTrue() {
        assertEquals(
                "{\"model\":\"provider-model\",\"stream\":true,\"messages\":[{}],\"stream_options\":{\"include_usage\":true}}",
                chat(
                        "{\"model\":\"m\",\"stream\":true,\"messages\":[{}],\"stream_options\":{\"include_usage\":false}}",
                        true));
        // stream_options before model exercises the other splice order.
        assertEquals(
                "{\"stream_options\":{\"x\":[1], \"include_usage\" : true },\"model\":\"provider-model\",\"stream\":true,\"messages\":[{}]}",
                chat(
                        "{\"stream_options\":{\"x\":[1], \"include_usage\" : null },\"model\":\"m\",\"stream\":true,\"messages\":[{}]}",
                        true));
    }

    @Test
    void leavesClientIncludeUsageAlone() {
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{}],\"stream_options\":{\"include_usage\":true}}";
        assertEquals(body.replace("\"m\"", "\"provider-model\""), chat(body, true));
    }

    @Test
    void forcesNothingWhenNotAskedOrNotStreaming() {
        String streamed = "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}";
        assertEquals(streamed.replace("\"m\"", "\"provider-model\""), chat(streamed, false));
        String plain = "{\"model\":\"m\",\"stream\":false,\"messages\":[{}],\"stream_options\":null}";
        assertEquals(plain.replace("\"m\"", "\"provider-model\""), chat(plain, true));
        String absent = "{\"model\":\"m\",\"messages\":[{}]}";
        assertEquals(absent.replace("\"m\"", "\"provider-model\""), chat(absent, true));
    }

    @Test
    void forcedUsageIsSeenByAScanOfTheOutput() {
        String out = chat("{\"model\":\"m\",\"stream\":true,\"messages\":[{}],\"stream_options\":null}", true);
        assertTrue(RequestScanTest.scan(out, CHAT_COMPLETIONS).clientIncludeUsage());
    }

    @Test
    void refusesAScanOfAnotherBody() {
        ByteBuf a = Bufs.of(Bufs.Kind.POOLED_DIRECT, "{\"model\":\"m\",\"messages\":[{}]}");
        ByteBuf b = Bufs.of(Bufs.Kind.POOLED_HEAP, "{\"model\":\"mm\",\"messages\":[{}]}");
        try {
            RequestScan scan = RequestScan.scan(a, CHAT_COMPLETIONS);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> OpenAiRequestRewriter.rewrite(PooledByteBufAllocator.DEFAULT, b, scan, "x", false));
        } finally {
            a.release();
            b.release();
        }
    }

    @Test
    void keepsNonAsciiBytesExactly() {
        String body = "{\"model\":\"m\",\"messages\":[{\"content\":\"中文 😀 \\ud83d\\ude00\"}]}";
        byte[] out = chat(body, false).getBytes(StandardCharsets.UTF_8);
        assertEquals(body.replace("\"m\"", "\"provider-model\""), new String(out, StandardCharsets.UTF_8));
    }
}
