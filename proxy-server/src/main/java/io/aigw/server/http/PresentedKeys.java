package io.aigw.server.http;

import io.aigw.core.auth.KeyHash;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The hashes of the last few keys presented on this thread, so a client that sends the same key on
 * every request (all of them do) costs a SHA-256 once per event loop instead of once per request.
 *
 * <p>Bounded ({@value #SIZE} entries per thread, the oldest replaced), and compared in constant time
 * for keys of equal length: a cached entry says no more about a guess than the hash lookup after it
 * would. The keys it holds were in request headers on this thread a moment ago; they are never logged.
 */
final class PresentedKeys {
    static final int SIZE = 8;

    private static final FastThreadLocal<PresentedKeys> CURRENT = new FastThreadLocal<>() {
        @Override
        protected PresentedKeys initialValue() {
            return new PresentedKeys();
        }
    };

    private final String[] keys = new String[SIZE];
    private final KeyHash[] hashes = new KeyHash[SIZE];
    private int next;

    /** The hash of {@code key}, from this thread's cache when it was presented lately. */
    static KeyHash hash(String key) {
        return CURRENT.get().lookup(key);
    }

    KeyHash lookup(String key) {
        for (int i = 0; i < SIZE; i++) {
            String k = keys[i];
            if (k != null && sameKey(k, key)) {
                return hashes[i];
            }
        }
        KeyHash h = KeyHash.ofKey(key);
        keys[next] = key;
        hashes[next] = h;
        next = (next + 1) % SIZE;
        return h;
    }

    /** Equal strings, in time that depends on their length only, not on where they first differ. */
    static boolean sameKey(String a, String b) {
        int n = a.length();
        if (n != b.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < n; i++) {
            diff |= a.charAt(i) ^ b.charAt(i);
        }
        return diff == 0;
    }
}
