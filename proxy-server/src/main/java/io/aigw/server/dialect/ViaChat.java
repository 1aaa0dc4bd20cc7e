package io.aigw.server.dialect;

import io.aigw.adapters.ChainedStreamTranslator;
import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.function.Function;

/**
 * A client API carried to any provider through OpenAI chat completions: the bridge turns the request into
 * chat, the provider's own dialect does the rest as for an OpenAI client (OpenAI, Azure, Ollama, Anthropic,
 * Gemini alike), and the bridge turns chat's answer, stream or error back. One translation per client API
 * instead of one per (client API, provider) pair; a pair that can do better (a pass-through) has a
 * converter of its own.
 */
public final class ViaChat implements Converter {
    private final Function<CallInput, ChatBridge> bridges;

    /** @param bridges a new bridge per call */
    public ViaChat(Function<CallInput, ChatBridge> bridges) {
        this.bridges = bridges;
    }

    @Override
    public DialectCall prepare(CallInput in) {
        ChatBridge bridge = bridges.apply(in);
        ByteBuf chat = bridge.toChat(in);
        try {
            RequestScan scan = RequestScan.scan(chat, ApiEndpoint.CHAT_COMPLETIONS);
            DialectCall inner =
                    in.dialect().prepare(ApiEndpoint.CHAT_COMPLETIONS, chat, scan, in.deployment(), in.alloc());
            return new Bridged(inner, bridge);
        } finally {
            chat.release(); // a dialect only reads the body it prepares from
        }
    }

    /** The provider's chat call, seen from the client's API. */
    private record Bridged(DialectCall inner, ChatBridge bridge) implements DialectCall {
        @Override
        public ByteBuf body() {
            return inner.body();
        }

        @Override
        public boolean stream() {
            return inner.stream();
        }

        @Override
        public boolean isStream(String contentType) {
            return inner.isStream(contentType);
        }

        @Override
        public StreamTranslator newStreamTranslator() {
            return new ChainedStreamTranslator(inner.newStreamTranslator(), bridge.fromChatStream());
        }

        @Override
        public Answer translate(int status, String contentType, ByteBuf body, ByteBufAllocator alloc) {
            return bridge.fromChat(inner.translate(status, contentType, body, alloc), alloc);
        }

        @Override
        public ApiEndpoint upstreamEndpoint() {
            ApiEndpoint e = inner.upstreamEndpoint();
            return e != null ? e : ApiEndpoint.CHAT_COMPLETIONS;
        }

        @Override
        public String path() {
            return inner.path();
        }

        @Override
        public HttpMethod method() {
            return inner.method();
        }

        @Override
        public List<CharSequence> headers() {
            return inner.headers();
        }

        @Override
        public CompletionFacts facts(ByteBuf clientAnswer) {
            return bridge.facts(clientAnswer);
        }
    }
}
