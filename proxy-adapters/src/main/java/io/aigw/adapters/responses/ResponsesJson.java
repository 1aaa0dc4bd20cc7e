package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.JsonSupport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The shared (thread-safe) Jackson objects of the Responses translators. */
final class ResponsesJson {

    /** Upstream bodies and SSE data: Jackson's default depth, large strings; never quotes the source in errors. */
    static final JsonFactory FACTORY = JsonSupport.UPSTREAM;

    /**
     * Client request bodies (read as a tree once per call) and generators that may write trees
     * echoed from the request: shallow nesting bounds stack use, strings stay large for images.
     */
    static final ObjectMapper MAPPER = JsonSupport.TREES;

    private ResponsesJson() {}

    /** A parser over the readable bytes, in place for heap buffers; indices and refCnt untouched. */
    static JsonParser parser(ByteBuf body) throws IOException {
        return JsonSupport.parser(FACTORY, body);
    }

    /** A generator appending UTF-8 to {@code out}; it can write trees (the mapper is its codec). */
    static JsonGenerator generator(ByteBuf out) throws IOException {
        // The cast picks the OutputStream overload: ByteBufOutputStream is also a DataOutput.
        return MAPPER.createGenerator((OutputStream) new ByteBufOutputStream(out), JsonEncoding.UTF8);
    }
}
