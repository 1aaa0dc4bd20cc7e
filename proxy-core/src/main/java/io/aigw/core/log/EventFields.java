package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** Small reads at a streaming parser's current value, for the stream assemblers: anything of another type is skipped. */
final class EventFields {
    private EventFields() {}

    /** The string at the parser, or null (having skipped whatever else is there). */
    static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    static int integer(JsonParser p, JsonToken t, int otherwise) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getIntValue();
        }
        p.skipChildren();
        return otherwise;
    }

    /** The object at the parser as a tree (small ones only: usage, a block's start), else null. */
    static JsonNode object(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            return p.readValueAsTree();
        }
        p.skipChildren();
        return null;
    }
}
