package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Redacts inside JSON without breaking it: the string values (and only they) go through the
 * {@link Redactor}; field names, numbers (as written), booleans, nulls and the nesting are copied
 * token by token with Jackson's streaming parser and generator, so the result is always JSON with
 * the same structure. The output is compact: the input's whitespace is not kept.
 *
 * <p>Thread-safe; a parser and generator per call.
 */
public final class JsonRedaction {
    private final Redactor redactor;

    public JsonRedaction(Redactor redactor) {
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    public Redactor redactor() {
        return redactor;
    }

    /**
     * The JSON with its string values redacted, or null when the bytes are not exactly one JSON
     * value (invalid, cut short, bad UTF-8, or trailing content).
     */
    public String tryRedact(byte[] json) {
        try (JsonParser p = LogJson.FACTORY.createParser(json)) {
            // Most bodies hold nothing to redact: one read-only pass proves it, and the text is kept
            // as it came instead of being generated again (half the cost of a row's rendering).
            if (isCleanDocument(p)) {
                return new String(json, StandardCharsets.UTF_8);
            }
        } catch (IOException notJson) {
            return null;
        }
        try (JsonParser p = LogJson.FACTORY.createParser(json)) {
            return redactDocument(p, json.length);
        } catch (IOException notJson) {
            return null;
        }
    }

    /**
     * True when the parser holds exactly one JSON value none of whose strings a rule changes; false
     * when one does, or the document is empty (the full pass then decides). Throws when not JSON.
     */
    private boolean isCleanDocument(JsonParser p) throws IOException {
        if (p.nextToken() == null) {
            return false;
        }
        int depth = 0;
        JsonToken t = p.currentToken();
        while (true) {
            if (t == null) {
                throw new IOException("JSON ended inside a value");
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING) {
                String text = p.getText();
                if (redactor.redact(text) != text) {
                    return false;
                }
            }
            if (depth == 0) {
                break;
            }
            t = p.nextToken();
        }
        if (p.nextToken() != null) {
            throw new IOException("content after the JSON value");
        }
        return true;
    }

    /** As {@link #tryRedact(byte[])}, for JSON already decoded. */
    public String tryRedact(String json) {
        try (JsonParser p = LogJson.FACTORY.createParser(json)) {
            return redactDocument(p, json.length());
        } catch (IOException notJson) {
            return null;
        }
    }

    private String redactDocument(JsonParser p, int sizeHint) throws IOException {
        if (p.nextToken() == null) {
            return null; // empty or only whitespace
        }
        StringWriter out = new StringWriter(sizeHint + 16);
        try (JsonGenerator g = LogJson.generator(out)) {
            copyValue(p, g);
        }
        // Jackson reads one root value and leaves the rest; "{} {}" or "{} x" is not one JSON document.
        return p.nextToken() == null ? out.toString() : null;
    }

    /**
     * Copies the value at the parser's current token (a scalar, or a whole object or array, which the
     * parser is then left at the end of) to the generator, redacting string values. Iterative, so
     * depth costs no stack.
     */
    void copyValue(JsonParser p, JsonGenerator g) throws IOException {
        int depth = 0;
        JsonToken t = p.currentToken();
        while (true) {
            if (t == null) {
                throw new IOException("JSON ended inside a value");
            }
            switch (t) {
                case START_OBJECT -> {
                    g.writeStartObject();
                    depth++;
                }
                case START_ARRAY -> {
                    g.writeStartArray();
                    depth++;
                }
                case END_OBJECT -> {
                    g.writeEndObject();
                    depth--;
                }
                case END_ARRAY -> {
                    g.writeEndArray();
                    depth--;
                }
                case FIELD_NAME -> g.writeFieldName(p.currentName());
                case VALUE_STRING -> g.writeString(redactor.redact(p.getText()));
                // The text as written: 1.10 stays 1.10, 1e400 is not turned into Infinity.
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> g.writeNumber(p.getText());
                default -> g.copyCurrentEvent(p); // true, false, null, an embedded tree value
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
        }
    }
}
