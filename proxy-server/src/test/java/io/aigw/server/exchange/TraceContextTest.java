package io.aigw.server.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TraceContextTest {
    @Test
    void aValidTraceparentIsTheClientsTrace() {
        TraceContext t = TraceContext.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "k=v");
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertEquals("00f067aa0ba902b7", t.parentSpanId());
        assertTrue(t.sampled());
        assertEquals("k=v", t.traceState());
        assertFalse(TraceContext.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", null)
                .sampled());
    }

    @Test
    void anInvalidOrZeroTraceparentStartsANewTrace() {
        for (String bad : new String[] {
            null,
            "",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        }) {
            TraceContext t = TraceContext.of(bad, "k=v");
            assertTrue(t.traceId().matches("[0-9a-f]{32}"), bad);
            assertNotEquals("00000000000000000000000000000000", t.traceId());
            assertNull(t.parentSpanId(), bad);
            assertNull(t.traceState(), "a tracestate without its traceparent is dropped");
        }
        assertNotEquals(
                TraceContext.newTrace().traceId(), TraceContext.newTrace().traceId());
    }
}
