package io.aigw.adapters.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.adapters.testing.Bufs;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenEstimateTest {

    @ParameterizedTest(name = "{1} tokens")
    @CsvSource(
            delimiter = '|',
            value = {
                // "Hello" 5 bytes -> 2
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}|2",
                // system 8 + text 8 = 16 -> 4; the image's base64 and media type are not text
                "{\"model\":\"m\",\"system\":\"12345678\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                        + "\"text\":\"abcdefgh\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\","
                        + "\"data\":\"AAAAAAAAAAAAAAAAAAAAAAAA\"}}]}]}|4",
                // name 1 + description 3 + schema keys type(4) properties(10) and value object(6) = 24 -> 6
                "{\"model\":\"m\",\"messages\":[],\"tools\":[{\"name\":\"f\",\"description\":\"abc\",\"input_schema\":"
                        + "{\"type\":\"object\",\"properties\":{}}}]}|6",
                // 'é' is 2 bytes: 'héllo' = 6 bytes -> 2
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}]}|2",
                "not json at all|0"
            })
    void utf8TextBytesOverFourRoundedUp(String body, long tokens) {
        ByteBuf in = Bufs.of(Bufs.Kind.COMPOSITE, body);
        try {
            assertEquals(tokens, TokenEstimate.of(in));
        } finally {
            in.release();
        }
    }
}
