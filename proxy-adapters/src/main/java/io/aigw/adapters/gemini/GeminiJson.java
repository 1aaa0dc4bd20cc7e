package io.aigw.adapters.gemini;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.JsonSupport;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.StringWriter;

/** What the Gemini translators share: one Jackson setup, buffer I/O and tool-call ids. */
final class GeminiJson {

    /** Request trees and their generators: {@link JsonSupport#TREES}. */
    static final ObjectMapper MAPPER = JsonSupport.TREES;

    static final JsonFactory FACTORY = MAPPER.getFactory();

    private GeminiJson() {}

    /** Writes into a new pooled buffer the caller owns; the buffer is released on failure. */
    static ByteBuf write(ByteBufAllocator alloc, int sizeHint, JsonSupport.Writer w) {
        return JsonSupport.write(FACTORY, alloc, sizeHint, w);
    }

    /** A parser over the readable bytes, in place for heap buffers; indices and refCnt untouched. */
    static JsonParser parser(ByteBuf body) throws IOException {
        return JsonSupport.parser(FACTORY, body);
    }

    /** The client's request body as a tree; a 400 in OpenAI's shape when it is not a JSON object. */
    static JsonNode readRequest(ByteBuf body) {
        return JsonSupport.readRequest(body);
    }

    static ApiException unreadable() {
        return JsonSupport.unreadable();
    }

    /** The current value re-serialised compactly: OpenAI's tool arguments are a string of JSON. */
    static String compact(JsonParser p) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.copyCurrentStructure(p);
        }
        return w.toString();
    }

    /** {@code call_} and 24 random alphanumerics, for a Gemini function call that carries no signature. */
    static String newToolCallId() {
        return JsonSupport.newToolCallId();
    }
}
