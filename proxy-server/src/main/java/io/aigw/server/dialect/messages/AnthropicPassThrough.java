package io.aigw.server.dialect.messages;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.messages.AnthropicStreamTap;
import io.aigw.adapters.messages.MessagesErrorTranslator;
import io.aigw.adapters.messages.MessagesFacts;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.adapters.openai.OpenAiRequestRewriter;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.ClientApi;
import io.aigw.server.dialect.CallInput;
import io.aigw.server.dialect.Converter;
import io.aigw.server.dialect.DialectCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * An Anthropic client to an Anthropic provider: the body goes up with only {@code model} rewritten (no
 * {@code stream_options}, which Anthropic rejects), with the client's {@code anthropic-version} and every
 * {@code anthropic-beta} value (an unknown beta is the provider's to refuse), and the answer, stream and
 * errors come back as they are: the stream as retained slices, never copied. Only an error body that is
 * not Anthropic's (a CDN's page) is rewrapped, so an Anthropic SDK can still type it.
 */
final class AnthropicPassThrough implements Converter {
    private static final AsciiString ANTHROPIC_VERSION = AsciiString.cached("anthropic-version");
    private static final AsciiString ANTHROPIC_BETA = AsciiString.cached("anthropic-beta");

    @Override
    public DialectCall prepare(CallInput in) {
        ByteBuf body = OpenAiRequestRewriter.rewrite(
                in.alloc(), in.body(), in.scan(), in.deployment().modelId(), false);
        return new Call(
                body, in.scan().stream(), headers(in.headers()), in.provider().name(), in.endpoint());
    }

    /** The client's anthropic-version, and its anthropic-beta values (one header or several) joined by commas. */
    static List<CharSequence> headers(HttpHeaders client) {
        List<CharSequence> h = new ArrayList<>(4);
        String version = client.get(ANTHROPIC_VERSION);
        if (version != null) {
            h.add(ANTHROPIC_VERSION);
            h.add(version);
        }
        List<String> betas = client.getAll(ANTHROPIC_BETA);
        if (!betas.isEmpty()) {
            h.add(ANTHROPIC_BETA);
            h.add(betas.size() == 1 ? betas.get(0) : String.join(",", betas));
        }
        return h;
    }

    private record Call(ByteBuf body, boolean stream, List<CharSequence> headers, String provider, ApiEndpoint endpoint)
            implements DialectCall {

        @Override
        public StreamTranslator newStreamTranslator() {
            return new AnthropicStreamTap();
        }

        @Override
        public Answer translate(int status, String contentType, ByteBuf upstreamBody, ByteBufAllocator alloc) {
            if (status < 400 || MessagesErrorTranslator.isAnthropicError(upstreamBody)) {
                return new Answer(status, upstreamBody, contentType == null ? "application/json" : contentType);
            }
            ApiError e = new ApiError(
                    status,
                    status >= 500 ? ApiError.API_ERROR : ApiError.INVALID_REQUEST,
                    "upstream_error",
                    null,
                    "Provider '" + provider + "' answered HTTP " + status + ".");
            upstreamBody.release();
            return Answer.of(e, ClientApi.ANTHROPIC, alloc);
        }

        @Override
        public CompletionFacts facts(ByteBuf clientAnswer) {
            return endpoint == ApiEndpoint.MESSAGES ? MessagesFacts.of(clientAnswer) : CompletionFacts.NONE;
        }
    }
}
