package io.aigw.bench.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the acceptance load judges each answer. */
class MixedLoadTest {
    private static final String CHUNK = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\n";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWholeCompletionWithOurIdIsRight() {
        assertNull(MixedLoad.check(
                200, "acc-1", bytes("{\"object\":\"chat.completion\",\"usage\":{}}"), "acc-1", false, 22));
    }

    @Test
    void statusIdAndShapeAreChecked() {
        assertEquals("HTTP 503", MixedLoad.check(503, "acc-1", bytes("{}"), "acc-1", false, 22));
        assertEquals(
                "x-request-id req_x instead of acc-1",
                MixedLoad.check(
                        200, "req_x", bytes("{\"object\":\"chat.completion\",\"usage\":{}}"), "acc-1", false, 22));
        assertEquals(
                "not a chat completion", MixedLoad.check(200, "acc-1", bytes("{\"error\":{}}"), "acc-1", false, 22));
    }

    @Test
    void aStreamMustEndWithDoneAfterTheExpectedEvents() {
        String three = CHUNK + CHUNK + "data: [DONE]\n\n";
        assertNull(MixedLoad.check(200, "s", bytes(three), "s", true, 3));
        assertEquals(
                "2 data events instead of 3",
                MixedLoad.check(200, "s", bytes(CHUNK + "data: [DONE]\n\n"), "s", true, 3));
        assertEquals("stream does not end with [DONE]", MixedLoad.check(200, "s", bytes(CHUNK + CHUNK), "s", true, 2));
    }
}
