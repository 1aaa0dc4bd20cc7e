package io.aigw.core.auth;

import io.aigw.core.config.ProviderConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replaces every provider secret the configuration holds (keys, Azure tokens, header values) with
 * {@link #MARKER} in provider text bound for a client: a provider quoting the key it was sent ("Incorrect
 * API key provided: sk-...") must not hand it on. The marker holds no character JSON escapes, so a
 * JSON body stays valid. Secrets shorter than {@link #MIN_LENGTH} are left alone: they would match
 * ordinary words. Immutable, shared by all event loops.
 */
public final class SecretScrubber {
    public static final String MARKER = "[redacted-provider-key]";
    public static final int MIN_LENGTH = 8;

    private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);
    private static final SecretScrubber NONE = new SecretScrubber(List.of());

    /** Longest first, so a secret that contains another is replaced whole. */
    private final byte[][] secrets;
    /** Which bytes start a secret: most positions are rejected by one lookup. */
    private final boolean[] starts = new boolean[256];

    private SecretScrubber(Collection<String> values) {
        List<byte[]> list = new ArrayList<>();
        for (String v : new LinkedHashSet<>(values)) {
            if (v != null && v.length() >= MIN_LENGTH) {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                list.add(b);
                starts[b[0] & 0xff] = true;
            }
        }
        list.sort(Comparator.comparingInt((byte[] b) -> b.length).reversed());
        this.secrets = list.toArray(new byte[0][]);
    }

    public static SecretScrubber of(Collection<String> secrets) {
        return new SecretScrubber(secrets);
    }

    public static SecretScrubber none() {
        return NONE;
    }

    /** Every secret of the configured providers. */
    public static SecretScrubber ofProviders(Collection<ProviderConfig> providers) {
        Set<String> values = new LinkedHashSet<>();
        for (ProviderConfig p : providers) {
            if (p.apiKey() != null) {
                values.add(p.apiKey());
            }
            values.addAll(p.apiKeys());
            values.addAll(p.headers().values());
            if (p.azure() != null && p.azure().bearerToken() != null) {
                values.add(p.azure().bearerToken());
            }
        }
        return new SecretScrubber(values);
    }

    public boolean isEmpty() {
        return secrets.length == 0;
    }

    /**
     * {@code text} with every secret replaced. Returns {@code text} itself when it holds none; else a new
     * buffer, and {@code text} is released.
     */
    public ByteBuf scrub(ByteBuf text, ByteBufAllocator alloc) {
        if (secrets.length == 0 || !text.isReadable()) {
            return text;
        }
        byte[] in = ByteBufUtil.getBytes(text);
        ByteBuf out = null;
        int copied = 0;
        int i = 0;
        while (i < in.length) {
            byte[] secret = starts[in[i] & 0xff] ? secretAt(in, i) : null;
            if (secret == null) {
                i++;
                continue;
            }
            if (out == null) {
                out = alloc.buffer(in.length);
            }
            out.writeBytes(in, copied, i - copied).writeBytes(MARKER_BYTES);
            i += secret.length;
            copied = i;
        }
        if (out == null) {
            return text;
        }
        out.writeBytes(in, copied, in.length - copied);
        text.release();
        return out;
    }

    private byte[] secretAt(byte[] in, int at) {
        for (byte[] secret : secrets) {
            if (secret.length <= in.length - at && matches(in, at, secret)) {
                return secret;
            }
        }
        return null;
    }

    private static boolean matches(byte[] in, int at, byte[] secret) {
        for (int j = 0; j < secret.length; j++) {
            if (in[at + j] != secret[j]) {
                return false;
            }
        }
        return true;
    }
}
