package io.aigw.server.dialect.responses;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.adapters.responses.Echo;
import io.aigw.adapters.responses.ResponseIds;
import io.aigw.adapters.responses.ResponsesFacts;
import io.aigw.adapters.responses.ResponsesRequestTranslator;
import io.aigw.adapters.responses.ResponsesResponseTranslator;
import io.aigw.adapters.responses.ResponsesStreamTranslator;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ClientApi;
import io.aigw.server.dialect.CallInput;
import io.aigw.server.dialect.ChatBridge;
import io.aigw.server.dialect.DialectCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One {@code /v1/responses} call carried as chat completions (a provider without the Responses API,
 * or {@code responses: chat}). It keeps what the Response object must repeat from the request, and one
 * id base so the answer's or the stream's ids belong together. Stateless by nature: store,
 * previous_response_id, conversation and background are refused (400) by the request translator.
 */
final class ResponsesBridge implements ChatBridge {
    private final String idBase = ResponseIds.newBase();
    private final long createdAt = System.currentTimeMillis() / 1000;
    private Echo echo;

    ResponsesBridge(CallInput in) {}

    @Override
    public ByteBuf toChat(CallInput in) {
        ResponsesRequestTranslator.Result r =
                ResponsesRequestTranslator.translate(in.body(), in.provider().name(), in.alloc());
        echo = r.echo();
        return r.body();
    }

    @Override
    public StreamTranslator fromChatStream() {
        return new ResponsesStreamTranslator(echo, idBase, createdAt);
    }

    /** Errors are already in OpenAI's shape, which is the Responses API's too; successes become a Response. */
    @Override
    public DialectCall.Answer fromChat(DialectCall.Answer chat, ByteBufAllocator alloc) {
        if (chat.status() >= 400) {
            return chat;
        }
        try {
            return new DialectCall.Answer(
                    chat.status(),
                    ResponsesResponseTranslator.translate(chat.body(), echo, idBase, createdAt, alloc),
                    "application/json");
        } catch (ApiException e) {
            return DialectCall.Answer.of(e.error(), ClientApi.RESPONSES, alloc);
        } finally {
            chat.body().release();
        }
    }

    @Override
    public CompletionFacts facts(ByteBuf clientAnswer) {
        return ResponsesFacts.of(clientAnswer);
    }
}
