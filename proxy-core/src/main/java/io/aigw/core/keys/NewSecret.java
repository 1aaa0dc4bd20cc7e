package io.aigw.core.keys;

import io.aigw.core.auth.KeyHash;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A freshly made client key: {@code sk-aigw-} and 256 random bits in URL-safe base64. The plaintext
 * is handed to the one answer that shows it and then dropped; only the hash and the prefix are kept.
 */
public record NewSecret(String key, KeyHash hash, String prefix) {
    public static final String SCHEME = "sk-aigw-";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static NewSecret generate() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String key = SCHEME + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return new NewSecret(key, KeyHash.ofKey(key), prefixOf(key));
    }

    /** {@code sk-aigw-ab12…}: enough to tell keys apart in a list, far too little to guess one. */
    static String prefixOf(String key) {
        return key.substring(0, SCHEME.length() + 4) + "\u2026";
    }

    @Override
    public String toString() {
        return "NewSecret[" + prefix + "]"; // never the key
    }
}
