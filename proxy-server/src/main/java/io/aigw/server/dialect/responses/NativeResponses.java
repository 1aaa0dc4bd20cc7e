package io.aigw.server.dialect.responses;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.adapters.openai.ErrorBodies;
import io.aigw.adapters.openai.OpenAiRequestRewriter;
import io.aigw.adapters.responses.ResponsesFacts;
import io.aigw.adapters.responses.ResponsesStreamTap;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ClientApi;
import io.aigw.server.dialect.CallInput;
import io.aigw.server.dialect.Converter;
import io.aigw.server.dialect.DialectCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * {@code /v1/responses} passed through to a provider that has it ({@code responses: native}): only
 * {@code model} is spliced, and no {@code stream_options} is added (the Responses API refuses
 * {@code include_usage}; its stream always ends with usage). The answer and the stream go back as they
 * came, the stream relayed without copying; the provider's dialect supplies the path (the cached
 * {@code /responses}, {@code /openai/v1/responses} on Azure v1) and its auth headers.
 */
final class NativeResponses implements Converter {

    @Override
    public DialectCall prepare(CallInput in) {
        ByteBuf body = OpenAiRequestRewriter.rewrite(
                in.alloc(), in.body(), in.scan(), in.deployment().modelId(), false);
        return new Call(in.provider().name(), body, in.scan().stream());
    }

    private record Call(String providerName, ByteBuf body, boolean stream) implements DialectCall {
        @Override
        public StreamTranslator newStreamTranslator() {
            return new ResponsesStreamTap();
        }

        /** As it came, except that an error which is not OpenAI's shape (Responses errors are) is rewrapped. */
        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            if (status < 400 || ErrorBodies.isComplete(upstreamBody)) {
                return new Answer(status, upstreamBody, contentType == null ? "application/json" : contentType);
            }
            ApiError normalized = ErrorBodies.normalize(status, upstreamBody, providerName);
            upstreamBody.release();
            return Answer.of(normalized, ClientApi.RESPONSES, alloc);
        }

        @Override
        public CompletionFacts facts(ByteBuf clientAnswer) {
            return ResponsesFacts.of(clientAnswer);
        }
    }
}
