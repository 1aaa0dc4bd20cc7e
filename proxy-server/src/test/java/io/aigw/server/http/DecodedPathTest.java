package io.aigw.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plain-path shortcut gives the decoder's path, and skips the decoder only where it changes nothing. */
class DecodedPathTest {
    private static String byDecoder(String uri) {
        try {
            return new QueryStringDecoder(uri).path();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Test
    void aPlainPathIsTheUriItself() {
        String uri = "/v1/chat/completions";
        assertSame(uri, ExchangeStartHandler.decodedPath(uri));
    }

    @Test
    void agreesWithTheDecoder() {
        for (String uri : List.of(
                "/v1/chat/completions",
                "/v1/models/gpt-4o?x=1",
                "/v1/a%20b",
                "/v1/a+b",
                "/v1/x#frag",
                "/v1/%zz",
                "/v1/%",
                "",
                "/",
                "*",
                "/v1/models/a;b",
                "/v1/caf\u00e9")) {
            assertEquals(byDecoder(uri), ExchangeStartHandler.decodedPath(uri), uri);
        }
        Random r = new Random(19);
        char[] alphabet = "/v1a%2F0+?#;=&. \u00e9".toCharArray();
        for (int i = 0; i < 50_000; i++) {
            char[] c = new char[r.nextInt(12)];
            for (int j = 0; j < c.length; j++) {
                c[j] = alphabet[r.nextInt(alphabet.length)];
            }
            String uri = new String(c);
            assertEquals(byDecoder(uri), ExchangeStartHandler.decodedPath(uri), uri);
        }
    }
}
