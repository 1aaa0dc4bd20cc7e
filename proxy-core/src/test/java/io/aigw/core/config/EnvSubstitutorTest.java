package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutorTest {
    private final EnvSubstitutor env = new EnvSubstitutor(Map.of("A", "alpha", "EMPTY", "", "B_2", "${A}"));

    private String sub(String text) throws ConfigException {
        return env.substitute(text, "k");
    }

    private String error(String text) {
        return assertThrows(ConfigException.class, () -> sub(text)).getMessage();
    }

    @Test
    void plainTextIsUntouched() throws Exception {
        assertEquals("no variables, $ alone, $A, {A}", sub("no variables, $ alone, $A, {A}"));
        assertEquals("", sub(""));
    }

    @Test
    void variablesAndDefaults() throws Exception {
        assertEquals("alpha", sub("${A}"));
        assertEquals("[alpha][]", sub("[${A}][${EMPTY}]"));
        assertEquals("alpha", sub("${A:-zzz}"));
        assertEquals("zzz", sub("${UNSET:-zzz}"));
        assertEquals("zzz", sub("${EMPTY:-zzz}"));
        assertEquals("", sub("${UNSET:-}"));
        assertEquals("a:-b", sub("${UNSET:-a:-b}"));
        assertEquals("http://h:8080/v1", sub("${UNSET:-http://h:8080/v1}"));
    }

    @Test
    void substitutedValuesAreNotExpandedAgain() throws Exception {
        assertEquals("${A}", sub("${B_2}"));
    }

    @Test
    void dollarDollarBraceIsALiteral() throws Exception {
        assertEquals("${A}", sub("$${A}"));
        assertEquals("x${UNSET}y alpha", sub("x$${UNSET}y ${A}"));
        assertEquals("$$", sub("$$"));
    }

    @Test
    void errors() {
        assertEquals("k: environment variable UNSET is not set", error("x ${UNSET} y"));
        assertEquals("k: unterminated ${ (write $${ for a literal ${)", error("abc${A"));
        assertEquals(
                "k: malformed ${...} reference, expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)",
                error("${}"));
        assertEquals(
                "k: malformed ${...} reference, expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)",
                error("${1A}"));
        assertEquals(
                "k: malformed ${...} reference, expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)",
                error("${A-default}"));
    }
}
