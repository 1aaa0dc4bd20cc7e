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

    /** Length of every key this class makes: the scheme and 43 base64url characters (256 bits). */
    public static final int LENGTH = SCHEME.length() + 43;

    /**
     * Whether {@code key} has the shape of a key this class makes. Anything else cannot be a database
     * key, so it is refused without a lookup: made-up keys of any other shape never reach the database.
     */
    public static boolean isWellFormed(String key) {
        if (key.length() != LENGTH || !key.startsWith(SCHEME)) {
            return false;
        }
        for (int i = SCHEME.length(); i < LENGTH; i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
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
