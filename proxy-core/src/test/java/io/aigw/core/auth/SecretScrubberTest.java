package io.aigw.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretScrubberTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static String scrub(SecretScrubber s, String text) {
        ByteBuf out = s.scrub(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), ALLOC);
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    @Test
    void everyOccurrenceOfEverySecretIsReplaced() {
        SecretScrubber s = SecretScrubber.of(List.of("sk-aaaa1111", "tok-bbbb2222"));
        assertEquals(
                "{\"m\":\"[redacted-provider-key] and [redacted-provider-key], [redacted-provider-key]!\"}",
                scrub(s, "{\"m\":\"sk-aaaa1111 and tok-bbbb2222, sk-aaaa1111!\"}"));
        assertEquals("[redacted-provider-key][redacted-provider-key]", scrub(s, "sk-aaaa1111sk-aaaa1111"));
        assertEquals("sk-aaaa111", scrub(s, "sk-aaaa111"), "a prefix is not the secret");
    }

    @Test
    void theLongestSecretWinsAndShortOnesAreIgnored() {
        SecretScrubber s = SecretScrubber.of(List.of("abcdefgh", "abcdefgh-longer", "short"));
        assertEquals("x [redacted-provider-key] y", scrub(s, "x abcdefgh-longer y"));
        assertEquals("a short word", scrub(s, "a short word"));
        assertTrue(SecretScrubber.of(List.of("1234567")).isEmpty());
    }

    @Test
    void textWithoutASecretComesBackAsItIs() {
        SecretScrubber s = SecretScrubber.of(List.of("sk-aaaa1111"));
        ByteBuf in = Unpooled.copiedBuffer("nothing here", StandardCharsets.UTF_8);
        assertSame(in, s.scrub(in, ALLOC));
        assertEquals(1, in.refCnt());
        in.release();
    }
}
