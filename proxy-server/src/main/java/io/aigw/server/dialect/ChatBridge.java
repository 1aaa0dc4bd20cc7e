package io.aigw.server.dialect;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One call of a client API carried as OpenAI chat completions ({@link ViaChat}): the client's request to
 * chat, and chat's answers back to the client's API. Made per call, so it may keep what the request said
 * (a tool's name, a requested format) for the answer.
 */
public interface ChatBridge {

    /**
     * The client's request ({@code in.body()}, only read) as a chat completions body: a new buffer, owned by
     * the caller. A stream must ask for {@code stream_options.include_usage}. Throws {@link
     * io.aigw.core.error.ApiException} (400, in OpenAI's terms: the client's shape is applied on the way out)
     * for what chat cannot carry.
     */
    ByteBuf toChat(CallInput in);

    /** Turns OpenAI chat SSE into the client's stream. */
    StreamTranslator fromChatStream();

    /**
     * A whole chat answer (a success, or an error in OpenAI's shape, with its status) in the client's API;
     * takes ownership of {@code chat}'s body.
     */
    DialectCall.Answer fromChat(DialectCall.Answer chat, ByteBufAllocator alloc);

    /** Usage and finish reason (OpenAI's words) of a successful answer in the client's API. */
    CompletionFacts facts(ByteBuf clientAnswer);
}
