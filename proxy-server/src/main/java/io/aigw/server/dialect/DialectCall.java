package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** One prepared call in a provider's dialect: the upstream body and how to read the answer. */
public interface DialectCall {

    /** The upstream request body; the call owns it and releases it when done. */
    ByteBuf body();

    boolean stream();

    /** For a 200 event stream: what turns it into the client's OpenAI stream. */
    StreamTranslator newStreamTranslator();

    /** A whole (non-streamed) answer in the client's terms; takes ownership of {@code body}. */
    Answer translate(int status, String contentType, ByteBuf body, ByteBufAllocator alloc);

    /** What the client gets: status, body (owned by the receiver) and content type. */
    record Answer(int status, ByteBuf body, String contentType) {}
}
