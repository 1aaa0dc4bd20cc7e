package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a streamed answer adds up to, chunk by chunk: its choices by index, the last usage object
 * and the error that ended it, if any. Written out as the log's message (see {@link SseAssembler}).
 */
final class StreamedMessage {
    private final TreeMap<Integer, StreamedChoice> choices = new TreeMap<>();
    private JsonNode usage;
    private JsonNode error;

    StreamedChoice choice(int index) {
        return choices.computeIfAbsent(index, k -> new StreamedChoice());
    }

    void usage(JsonNode usage) {
        this.usage = usage;
    }

    void error(JsonNode error) {
        this.error = error;
    }

    /**
     * The message as one object: the choice's fields at the top when there is only choice 0 (the
     * usual case), else a {@code choices} list; then usage, error and the truncation flag.
     */
    void write(JsonGenerator g, JsonRedaction json, boolean truncated) throws IOException {
        Redactor redactor = json.redactor();
        g.writeStartObject();
        if (choices.isEmpty() || (choices.size() == 1 && choices.containsKey(0))) {
            choice(0).writeFields(g, redactor);
        } else {
            g.writeArrayFieldStart("choices");
            for (Map.Entry<Integer, StreamedChoice> e : choices.entrySet()) {
                g.writeStartObject();
                g.writeNumberField("index", e.getKey());
                e.getValue().writeFields(g, redactor);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        writeTree(g, json, "usage", usage);
        writeTree(g, json, "error", error);
        if (truncated) {
            g.writeBooleanField("truncated", true);
        }
        g.writeEndObject();
    }

    private static void writeTree(JsonGenerator g, JsonRedaction json, String field, JsonNode node) throws IOException {
        if (node == null) {
            return;
        }
        g.writeFieldName(field);
        try (JsonParser p = node.traverse(LogJson.MAPPER)) {
            p.nextToken();
            json.copyValue(p, g);
        }
    }
}
