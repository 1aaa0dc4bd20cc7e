package io.aigw.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A SHA-256 digest of an API key: what the proxy keeps and compares instead of the key itself. */
public final class KeyHash {
    private static final HexFormat HEX = HexFormat.of();
    private final byte[] digest;

    private KeyHash(byte[] digest) {
        this.digest = digest;
    }

    public static KeyHash ofKey(String key) {
        return new KeyHash(sha256(key.getBytes(StandardCharsets.UTF_8)));
    }

    public static KeyHash ofKey(byte[] keyBytes, int offset, int length) {
        MessageDigest md = digest();
        md.update(keyBytes, offset, length);
        return new KeyHash(md.digest());
    }

    /** Parses 64 hex characters; throws {@link IllegalArgumentException} otherwise. */
    public static KeyHash ofHex(String hex) {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("a SHA-256 hash is 64 hex characters");
        }
        return new KeyHash(HEX.parseHex(hex));
    }

    /** Constant-time comparison, so response timing says nothing about how close a guess was. */
    public boolean matches(KeyHash other) {
        return MessageDigest.isEqual(digest, other.digest);
    }

    /** Formatted once: the request log asks for it on every exchange. */
    public String hex() {
        String h = hex;
        if (h == null) {
            h = HEX.formatHex(digest);
            hex = h;
        }
        return h;
    }

    /** A benign race: two threads may both format it, to the same string. */
    private String hex;

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyHash k && MessageDigest.isEqual(digest, k.digest);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "sha256:" + hex();
    }

    static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    /** One digest per thread: looking one up per request showed in profiles (provider lookup, reflection). */
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(KeyHash::newDigest);

    private static MessageDigest digest() {
        MessageDigest md = DIGEST.get();
        md.reset();
        return md;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
