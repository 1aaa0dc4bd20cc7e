package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.ClientApi;
import io.aigw.server.http.RequestIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

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

    /**
     * The endpoint whose path (the dialect's, cached per model) the call goes to; null: the client's. A
     * call translated to another API names the one it speaks upstream (a Messages request sent as chat).
     */
    default ApiEndpoint upstreamEndpoint() {
        return null;
    }

    /**
     * The call's own path under the provider's base URL (with its query, if any), when it is not an
     * endpoint's fixed one (a stream's own method, an item's id); null: {@link #upstreamEndpoint}'s.
     */
    default String path() {
        return null;
    }

    default HttpMethod method() {
        return HttpMethod.POST;
    }

    /**
     * Headers of this call only, as name/value pairs; each replaces the provider's fixed header of the same
     * name (a client's {@code anthropic-version}, its {@code anthropic-beta}).
     */
    default List<CharSequence> headers() {
        return List.of();
    }

    /** Usage and finish reason (in OpenAI's words) of a successful whole answer as the client gets it. */
    default CompletionFacts facts(ByteBuf clientAnswer) {
        return CompletionFacts.ofAnswer(clientAnswer);
    }

    /** What the client gets: status, body (owned by the receiver) and content type. */
    record Answer(int status, ByteBuf body, String contentType) {
        /** An error in OpenAI's shape, with the error's own status. */
        public static Answer of(ApiError error, ByteBufAllocator alloc) {
            return of(error, ClientApi.OPENAI, alloc);
        }

        /** An error in {@code api}'s shape, with the error's own status. */
        public static Answer of(ApiError error, ClientApi api, ByteBufAllocator alloc) {
            return new Answer(error.status(), alloc.buffer().writeBytes(error.toJsonBytes(api)), "application/json");
        }
    }

    /** An id for a translated chat completion (or stream), in OpenAI's {@code chatcmpl-} form. */
    static String newChatId() {
        return "chatcmpl-" + RequestIds.generate().substring(4);
    }
}
