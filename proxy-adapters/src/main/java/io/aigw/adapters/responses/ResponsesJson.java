package io.aigw.adapters.responses;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The shared (thread-safe) Jackson objects of the Responses translators. */
final class ResponsesJson {

    /** Upstream bodies and SSE data: Jackson's default depth, large strings; never quotes the source in errors. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(StreamReadConstraints.DEFAULT_MAX_DEPTH)
                    .maxStringLength(256 << 20)
                    .build())
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .errorReportConfiguration(ErrorReportConfiguration.builder()
                    .maxErrorTokenLength(32)
                    .maxRawContentLength(0)
                    .build())
            .build();

    /**
     * Client request bodies (read as a tree once per call) and generators that may write trees
     * echoed from the request: shallow nesting bounds stack use, strings stay large for images.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(128)
                            .maxStringLength(256 << 20)
                            .build())
                    .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ResponsesJson() {}

    /** A parser over the readable bytes, in place for heap buffers; indices and refCnt untouched. */
    static JsonParser parser(ByteBuf body) throws IOException {
        int len = body.readableBytes();
        if (body.hasArray()) {
            return FACTORY.createParser(body.array(), body.arrayOffset() + body.readerIndex(), len);
        }
        return FACTORY.createParser((java.io.InputStream) new ByteBufInputStream(body.duplicate(), len));
    }

    /** A generator appending UTF-8 to {@code out}; it can write trees (the mapper is its codec). */
    static JsonGenerator generator(ByteBuf out) throws IOException {
        // The cast picks the OutputStream overload: ByteBufOutputStream is also a DataOutput.
        return MAPPER.createGenerator((OutputStream) new ByteBufOutputStream(out), JsonEncoding.UTF8);
    }
}
