package io.aigw.server.trace;

import io.aigw.core.config.ProxyConfig;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Message content for spans, only with {@code tracing.capture_content: true}: a request's or a plain
 * answer's body as text, cut at {@link #MAX_BYTES} so one exchange cannot make a span of megabytes.
 * Off (the default), nothing is copied.
 */
public final class CapturedContent {
    /** The most bytes of one body kept for a span attribute. */
    public static final int MAX_BYTES = 16 * 1024;

    private CapturedContent() {}

    /** Whether the exchange's config asks for content in spans. */
    public static boolean wanted(ProxyConfig config) {
        return config != null && config.tracing().enabled() && config.tracing().captureContent();
    }

    /** The body as UTF-8 text, up to {@link #MAX_BYTES} (a character cut in two becomes U+FFFD). */
    public static String of(ByteBuf body) {
        int n = Math.min(body.readableBytes(), MAX_BYTES);
        return body.toString(body.readerIndex(), n, StandardCharsets.UTF_8);
    }
}
