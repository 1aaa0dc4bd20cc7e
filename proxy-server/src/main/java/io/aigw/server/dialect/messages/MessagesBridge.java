package io.aigw.server.dialect.messages;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.messages.MessagesErrorTranslator;
import io.aigw.adapters.messages.MessagesFacts;
import io.aigw.adapters.messages.MessagesRequestTranslator;
import io.aigw.adapters.messages.MessagesResponseTranslator;
import io.aigw.adapters.messages.MessagesStreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.ClientApi;
import io.aigw.server.dialect.CallInput;
import io.aigw.server.dialect.ChatBridge;
import io.aigw.server.dialect.DialectCall.Answer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One Messages call carried as chat completions (to OpenAI, Azure, Ollama, Gemini): the request becomes
 * chat, and chat's answer, stream and errors become Anthropic's. Token counting is not translated: it is
 * answered by the gateway ({@link io.aigw.server.endpoint.CountTokensEndpoint}) or by an Anthropic
 * provider, so a count reaching here (a failover to another provider type) is refused.
 */
final class MessagesBridge implements ChatBridge {
    private final String provider;

    MessagesBridge(CallInput in) {
        this.provider = in.provider().name();
    }

    @Override
    public ByteBuf toChat(CallInput in) {
        if (in.endpoint() == ApiEndpoint.COUNT_TOKENS) {
            throw new ApiException(ApiError.badRequest(
                    "unsupported_endpoint",
                    null,
                    "Provider '" + provider + "' (" + in.provider().type()
                            + ") cannot count tokens; /v1/messages/count_tokens goes to Anthropic providers."));
        }
        return MessagesRequestTranslator.translate(in.body(), in.deployment().modelId(), in.alloc())
                .body();
    }

    @Override
    public StreamTranslator fromChatStream() {
        return new MessagesStreamTranslator();
    }

    @Override
    public Answer fromChat(Answer chat, ByteBufAllocator alloc) {
        ByteBuf body = chat.body();
        try {
            if (chat.status() / 100 == 2) {
                MessagesResponseTranslator.Translated t = MessagesResponseTranslator.translate(body, alloc);
                return new Answer(200, t.body(), "application/json");
            }
            ApiError e = MessagesErrorTranslator.fromChat(chat.status(), body, provider);
            return new Answer(e.status(), MessagesErrorTranslator.toBody(e, alloc), "application/json");
        } catch (ApiException unreadable) {
            return Answer.of(unreadable.error(), ClientApi.ANTHROPIC, alloc);
        } finally {
            body.release();
        }
    }

    @Override
    public CompletionFacts facts(ByteBuf clientAnswer) {
        return MessagesFacts.of(clientAnswer);
    }
}
