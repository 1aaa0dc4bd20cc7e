package io.aigw.adapters.openai;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The shared (thread-safe) Jackson factories and a copy-free way to point a parser at a ByteBuf. */
final class OpenAiJson {

    /**
     * Client bodies: shallow nesting is plenty for OpenAI requests and bounds stack use; strings may
     * be large because messages can carry base64 images (the server's body limit is the real cap).
     */
    static final JsonFactory REQUESTS = factory(128, 256 << 20);

    /** Upstream bodies and SSE data: trusted more, so Jackson's default depth; large embeddings. */
    static final JsonFactory RESPONSES = factory(StreamReadConstraints.DEFAULT_MAX_DEPTH, 256 << 20);

    private OpenAiJson() {}

    private static JsonFactory factory(int maxDepth, int maxString) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxString)
                        .build())
                // Error messages go back to clients: never quote the source document in them,
                // and keep the bad-token excerpt Jackson includes short.
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(32)
                        .maxRawContentLength(0)
                        .build())
                .build();
    }

    /**
     * A parser over the readable bytes; byte offsets it reports are relative to readerIndex. A heap
     * buffer is parsed in place; otherwise Jackson streams through its own recycled buffer from a
     * duplicate, so the caller's indices and reference count stay untouched.
     */
    static JsonParser parser(JsonFactory factory, ByteBuf body) throws IOException {
        int len = body.readableBytes();
        if (body.hasArray()) {
            return factory.createParser(body.array(), body.arrayOffset() + body.readerIndex(), len);
        }
        InputStream in = new ByteBufInputStream(body.duplicate(), len);
        return factory.createParser(in);
    }
}
