package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.assertGeneratedId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "req_0123456789abcdef", "client-1.2:3_x", "ABCxyz-_.:"})
    void plainShortIdsAreAcceptable(String id) {
        assertTrue(RequestIds.isAcceptable(id));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "has space",
                "a/b",
                "a\r\nx-evil: 1",
                "a\nb",
                "tab\t",
                "é",
                "a+b",
                "a=b",
                "a;b",
                "\"q\"",
                "{json}",
                "a%20b",
                "a,b"
            })
    void idsWithOtherCharactersAreNotAcceptable(String id) {
        assertFalse(RequestIds.isAcceptable(id));
    }

    @Test
    void lengthIsBoundedTo128() {
        assertTrue(RequestIds.isAcceptable("x".repeat(128)));
        assertFalse(RequestIds.isAcceptable("x".repeat(129)));
    }

    @Test
    void generatedIdsAreReqPlus32HexAndDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = RequestIds.generate();
            assertGeneratedId(id);
            assertTrue(RequestIds.isAcceptable(id), "a generated id would be honoured if echoed back");
            ids.add(id);
        }
        assertEquals(1000, ids.size());
    }

    @Test
    void ofHonoursAcceptableIncomingIdAndReplacesOthers() {
        HttpHeaders h = new DefaultHttpHeaders();
        assertGeneratedId(RequestIds.of(h));

        h.set("X-Request-Id", "client-7");
        assertEquals("client-7", RequestIds.of(h), "header name is case-insensitive");

        h.set(RequestIds.HEADER, "x".repeat(129));
        assertGeneratedId(RequestIds.of(h));

        h.set(RequestIds.HEADER, "");
        assertGeneratedId(RequestIds.of(h));
    }
}
