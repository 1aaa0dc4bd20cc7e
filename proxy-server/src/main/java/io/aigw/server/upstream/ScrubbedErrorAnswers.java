package io.aigw.server.upstream;

import io.aigw.adapters.StreamTranslator;
import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.core.auth.SecretScrubber;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.server.dialect.DialectCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

/**
 * A call whose error answers (any status but 2xx) have the provider secrets scrubbed out before the
 * dialect reads them, so neither a passed-through body nor an error translated from provider text
 * (Anthropic, Ollama) can carry a key to the client or the request log. Success bodies are not
 * scanned: they can be large, and a provider does not quote keys in them.
 */
final class ScrubbedErrorAnswers implements DialectCall {
    private final DialectCall call;
    private final SecretScrubber scrubber;

    private ScrubbedErrorAnswers(DialectCall call, SecretScrubber scrubber) {
        this.call = call;
        this.scrubber = scrubber;
    }

    /** {@code call} itself when there is nothing to scrub. */
    static DialectCall of(DialectCall call, SecretScrubber scrubber) {
        return scrubber.isEmpty() ? call : new ScrubbedErrorAnswers(call, scrubber);
    }

    @Override
    public ByteBuf body() {
        return call.body();
    }

    @Override
    public boolean stream() {
        return call.stream();
    }

    @Override
    public boolean isStream(String contentType) {
        return call.isStream(contentType);
    }

    @Override
    public StreamTranslator newStreamTranslator() {
        return call.newStreamTranslator();
    }

    @Override
    public ApiEndpoint upstreamEndpoint() {
        return call.upstreamEndpoint();
    }

    @Override
    public String path() {
        return call.path();
    }

    @Override
    public HttpMethod method() {
        return call.method();
    }

    @Override
    public List<CharSequence> headers() {
        return call.headers();
    }

    @Override
    public CompletionFacts facts(ByteBuf clientAnswer) {
        return call.facts(clientAnswer);
    }

    @Override
    public Answer translate(int status, String contentType, ByteBuf body, ByteBufAllocator alloc) {
        boolean success = status >= 200 && status < 300;
        return call.translate(status, contentType, success ? body : scrubber.scrub(body, alloc), alloc);
    }
}
