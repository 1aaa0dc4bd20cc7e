package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.core.error.ApiError;
import io.aigw.server.http.RequestIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** One prepared call in a provider's dialect: the upstream body and how to read the answer. */
public interface DialectCall {

    /** The upstream request body; the call owns it and releases it when done. */
    ByteBuf body();

    boolean stream();

    /**
     * Whether a 200 answer with this Content-Type (may be null) is the provider's stream, to be
     * relayed through {@link #newStreamTranslator}; anything else is aggregated and translated whole.
     * Server-sent events by default; a dialect whose provider streams another format (Ollama's
     * NDJSON) says so.
     */
    default boolean isStream(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    /** For a 200 stream ({@link #isStream}): what turns it into the client's OpenAI stream. */
    StreamTranslator newStreamTranslator();

    /** A whole (non-streamed) answer in the client's terms; takes ownership of {@code body}. */
    Answer translate(int status, String contentType, ByteBuf body, ByteBufAllocator alloc);

    /** What the client gets: status, body (owned by the receiver) and content type. */
    record Answer(int status, ByteBuf body, String contentType) {
        /** An error in OpenAI's shape, with the error's own status. */
        public static Answer of(ApiError error, ByteBufAllocator alloc) {
            return new Answer(error.status(), alloc.buffer().writeBytes(error.toJsonBytes()), "application/json");
        }
    }

    /** An id for a translated chat completion (or stream), in OpenAI's {@code chatcmpl-} form. */
    static String newChatId() {
        return "chatcmpl-" + RequestIds.generate().substring(4);
    }
}
