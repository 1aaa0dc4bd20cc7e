package io.aigw.core.log;

import static io.aigw.core.log.LogRows.assertSameRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A row's spill line (the JSON SpillFile writes) keeps its client API, and a line from before the column reads. */
class LogRowSpillTest {
    private final ObjectMapper json = SpillFile.mapper();

    @Test
    void theClientApiRoundTripsAndAnOlderLineHasNone() throws Exception {
        LogRow full = LogRows.full(Instant.parse("2026-11-23T17:01:02.345Z"));
        String line = json.writeValueAsString(full);
        LogRow read = json.readValue(line, LogRow.class);
        assertEquals("anthropic", read.clientApi());
        assertSameRow(full, read);

        ObjectNode older = (ObjectNode) json.readTree(line);
        older.remove("clientApi");
        assertNull(json.readValue(json.writeValueAsString(older), LogRow.class).clientApi());
    }
}
