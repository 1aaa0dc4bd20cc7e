package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventReaderTest {
    private static List<String> events(String sse) {
        List<String> out = new ArrayList<>();
        SseEventReader.read(
                sse.getBytes(StandardCharsets.UTF_8),
                (event, data, offset, length) ->
                        out.add(event + "|" + new String(data, offset, length, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void eventsEndAtABlankLine() {
        assertEquals(List.of("null|a", "null|b"), events("data: a\n\ndata: b\n\n"));
        assertEquals(List.of("error|{\"x\":1}", "null|c"), events("event: error\ndata: {\"x\":1}\n\ndata: c\n\n"));
        assertEquals(List.of(), events(""));
        assertEquals(List.of(), events(": only a comment\n\n\n\n"));
    }

    @Test
    void lineEndsOfEveryKind() {
        assertEquals(List.of("null|a", "null|b", "null|c"), events("data: a\r\n\r\ndata: b\r\rdata: c\n\n"));
    }

    @Test
    void dataLinesJoinWithNewlines() {
        assertEquals(List.of("null|one\ntwo\n\nfour"), events("data: one\ndata:two\ndata\ndata: four\n\n"));
        String longLine = "x".repeat(200);
        assertEquals(
                List.of("null|" + longLine + "\n" + longLine + "\n" + longLine),
                events("data: " + longLine + "\ndata: " + longLine + "\ndata: " + longLine + "\n\n"));
    }

    @Test
    void onlyOneSpaceAfterTheColonGoesAndOtherFieldsAreSkipped() {
        assertEquals(List.of("null|  two spaces"), events("id: 7\nretry: 10\ndata:   two spaces\nfoo: bar\n\n"));
    }

    @Test
    void anEventOpenAtTheEndIsStillDelivered() {
        assertEquals(List.of("null|a", "null|{\"cut"), events("data: a\n\ndata: {\"cut"));
        assertEquals(List.of("null|b"), events("data: b\n"));
    }
}
