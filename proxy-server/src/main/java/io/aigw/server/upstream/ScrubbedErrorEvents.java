package io.aigw.server.upstream;

import io.aigw.adapters.StreamTranslator;
import io.aigw.core.auth.SecretScrubber;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A stream translator whose output has the provider secrets scrubbed out of what mentions an error (an
 * {@code error} event relayed mid-stream, or one a translator built from provider text). Only output
 * holding the bytes {@code error} is scanned for secrets: the tokens of a healthy stream cost one
 * substring search, not a scan per secret.
 */
final class ScrubbedErrorEvents implements StreamTranslator {
    private static final byte[] ERROR = "error".getBytes(StandardCharsets.US_ASCII);

    private final StreamTranslator translator;
    private final SecretScrubber scrubber;

    private ScrubbedErrorEvents(StreamTranslator translator, SecretScrubber scrubber) {
        this.translator = translator;
        this.scrubber = scrubber;
    }

    /** {@code translator} itself when there is nothing to scrub. */
    static StreamTranslator of(StreamTranslator translator, SecretScrubber scrubber) {
        return scrubber.isEmpty() ? translator : new ScrubbedErrorEvents(translator, scrubber);
    }

    @Override
    public void onChunk(ByteBuf chunk, ByteBufAllocator alloc, List<ByteBuf> out) {
        int from = out.size();
        translator.onChunk(chunk, alloc, out);
        scrub(out, from, alloc);
    }

    @Override
    public void onEnd(ByteBufAllocator alloc, List<ByteBuf> out) {
        int from = out.size();
        translator.onEnd(alloc, out);
        scrub(out, from, alloc);
    }

    private void scrub(List<ByteBuf> out, int from, ByteBufAllocator alloc) {
        for (int i = from; i < out.size(); i++) {
            ByteBuf b = out.get(i);
            if (mentionsError(b)) {
                out.set(i, scrubber.scrub(b, alloc));
            }
        }
    }

    /** One pass, no allocation: a match of {@code error} ends the scan at once. */
    private static boolean mentionsError(ByteBuf b) {
        int[] matched = {0};
        return b.forEachByte(value -> {
                    int m = matched[0];
                    m = value == ERROR[m] ? m + 1 : value == ERROR[0] ? 1 : 0;
                    matched[0] = m;
                    return m < ERROR.length;
                })
                >= 0;
    }

    @Override
    public void onError(ApiError error, ByteBufAllocator alloc, List<ByteBuf> out) {
        int from = out.size();
        translator.onError(error, alloc, out);
        scrub(out, from, alloc);
    }

    @Override
    public int heldBytes() {
        return translator.heldBytes();
    }

    @Override
    public Usage usage() {
        return translator.usage();
    }

    @Override
    public String finishReason() {
        return translator.finishReason();
    }

    @Override
    public void close() {
        translator.close();
    }
}
