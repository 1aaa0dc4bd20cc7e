package io.aigw.adapters.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.aigw.adapters.JsonSupport;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/** The shared (thread-safe) Jackson factories and a copy-free way to point a parser at a ByteBuf. */
final class OpenAiJson {

    /**
     * Client bodies: shallow nesting is plenty for OpenAI requests and bounds stack use; strings may
     * be large because messages can carry base64 images (the server's body limit is the real cap).
     */
    static final JsonFactory REQUESTS = JsonSupport.CLIENT;

    /** Upstream bodies and SSE data: trusted more, so Jackson's default depth; large embeddings. */
    static final JsonFactory RESPONSES = JsonSupport.UPSTREAM;

    private OpenAiJson() {}

    /**
     * A parser over the readable bytes; byte offsets it reports are relative to readerIndex. A heap
     * buffer is parsed in place; otherwise Jackson streams through its own recycled buffer from a
     * duplicate, so the caller's indices and reference count stay untouched.
     */
    static JsonParser parser(JsonFactory factory, ByteBuf body) throws IOException {
        return JsonSupport.parser(factory, body);
    }
}
