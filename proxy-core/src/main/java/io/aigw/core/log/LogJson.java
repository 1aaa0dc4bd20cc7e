package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The one Jackson factory of the request log's rendering: factories are thread-safe and costly to make. */
final class LogJson {
    /** Its factory carries the mapper as codec, so parsers it makes can read a value as a tree. */
    static final ObjectMapper MAPPER = new ObjectMapper();

    static final JsonFactory FACTORY = MAPPER.getFactory();

    private LogJson() {}

    static JsonGenerator generator(StringWriter out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
    }

    /** Text as a JSON string literal. */
    static String quote(String text) {
        StringWriter out = new StringWriter(text.length() + 16);
        try (JsonGenerator g = generator(out)) {
            g.writeString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
