package io.aigw.core.auth;

import java.util.List;

/**
 * The client keys the proxy accepts, held only as SHA-256 hashes.
 *
 * <p>A presented key is hashed and compared with every stored hash using
 * {@link java.security.MessageDigest#isEqual}, without stopping at the first match, so neither the
 * position of a key nor how close a guess came shows in the time taken.
 */
public final class ApiKeyStore {
    private final KeyHash[] hashes;

    public ApiKeyStore(List<KeyHash> hashes) {
        if (hashes.isEmpty()) {
            throw new IllegalArgumentException("at least one key hash is required");
        }
        this.hashes = hashes.toArray(KeyHash[]::new);
    }

    /** The stored hash that matches the presented key bytes, or null. */
    public KeyHash authenticate(byte[] key, int offset, int length) {
        return find(KeyHash.ofKey(key, offset, length));
    }

    /** The stored hash equal to {@code presented}, or null; every stored hash is compared. */
    public KeyHash find(KeyHash presented) {
        KeyHash found = null;
        for (KeyHash h : hashes) {
            if (h.matches(presented)) {
                found = h;
            }
        }
        return found;
    }

    public int size() {
        return hashes.length;
    }
}
