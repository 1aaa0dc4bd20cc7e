package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PgTextTest {

    @Test
    void ordinaryTextIsReturnedAsItIs() {
        String s = "{\"a\":\"héllo \\u00e9 \\ud83d\\ude00 \\\\ \\\"\"}";
        assertSame(s, PgText.json(s));
        assertSame(s, PgText.text(s));
        assertNull(PgText.json(null));
        assertNull(PgText.text(null));
    }

    @Test
    void nulIsReplacedInTextAndInJson() {
        assertEquals("a\ufffdb", PgText.text("a\0b"));
        assertEquals("{\"a\":\"x\\ufffdy\"}", PgText.json("{\"a\":\"x\\u0000y\"}"));
        assertEquals("{\"\\ufffd\":1}", PgText.json("{\"\\u0000\":1}"));
    }

    @Test
    void unpairedSurrogateEscapesAreReplacedAndPairsKept() {
        assertEquals("\"\\ufffd\"", PgText.json("\"\\ud83d\""));
        assertEquals("\"\\ufffdx\"", PgText.json("\"\\uD83Dx\""));
        assertEquals("\"\\ufffd\\u0041\"", PgText.json("\"\\ud83d\\u0041\""));
        assertEquals("\"\\ufffd\"", PgText.json("\"\\ude00\""));
        assertEquals("\"\\ufffd\\ufffd\"", PgText.json("\"\\ude00\\ud83d\""));
        assertEquals("\"\\ud83d\\ude00\\ufffd\"", PgText.json("\"\\ud83d\\ude00\\ude00\""));
    }

    @Test
    void anEscapedBackslashIsNotTheStartOfAnEscape() {
        String s = "\"\\\\u0000 \\\\ud83d\"";
        assertSame(s, PgText.json(s));
        assertEquals("\"\\\\\\ufffd\"", PgText.json("\"\\\\\\u0000\""));
    }

    @Test
    void aTruncatedEscapeAtTheEndIsLeftAlone() {
        assertEquals("\"\\u00", PgText.json("\"\\u00"));
        assertEquals("\"\\ufffd", PgText.json("\"\\ud83d"));
    }
}
