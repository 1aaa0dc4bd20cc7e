package io.aigw.core.secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * The 32-byte AES key that {@code enc:v1:} values are encrypted under. It comes from the
 * environment, never from the configuration file it protects: {@code AIGW_MASTER_KEY} (base64) or
 * the file named by {@code AIGW_MASTER_KEY_FILE} (holding the same base64 text, e.g. a mounted
 * secret). {@link #toString()} never shows it.
 */
public final class MasterKey {
    public static final String ENV = "AIGW_MASTER_KEY";
    public static final String FILE_ENV = "AIGW_MASTER_KEY_FILE";
    public static final int BYTES = 32;

    private final byte[] key;

    private MasterKey(byte[] key) {
        this.key = key;
    }

    /** A key from its base64 text; the message of a refusal never holds the text. */
    public static MasterKey ofBase64(String base64) throws InvalidKeyException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyException("is not base64");
        }
        if (raw.length != BYTES) {
            throw new InvalidKeyException("must be " + BYTES + " bytes, base64-encoded (it is " + raw.length + ")");
        }
        return new MasterKey(raw);
    }

    /** A fresh random key, as base64: what {@code aigw secrets new-master-key} prints. */
    public static String generateBase64() {
        byte[] raw = new byte[BYTES];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /**
     * The key the environment names, or null when neither variable is set.
     *
     * @throws InvalidKeyException naming the variable (never its value) when it is unusable, or
     *     when both are set (which one wins would be a guess)
     */
    public static MasterKey fromEnv(Map<String, String> env) throws InvalidKeyException {
        String inline = blankToNull(env.get(ENV));
        String file = blankToNull(env.get(FILE_ENV));
        if (inline != null && file != null) {
            throw new InvalidKeyException("both " + ENV + " and " + FILE_ENV + " are set; set only one");
        }
        if (inline != null) {
            try {
                return ofBase64(inline);
            } catch (InvalidKeyException e) {
                throw new InvalidKeyException(ENV + " " + e.getMessage());
            }
        }
        if (file == null) {
            return null;
        }
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidKeyException(FILE_ENV + " names " + file + ", which does not exist");
        } catch (AccessDeniedException e) {
            throw new InvalidKeyException(FILE_ENV + " names " + file + ", which cannot be read (permission denied)");
        } catch (IOException | InvalidPathException e) {
            throw new InvalidKeyException(FILE_ENV + " names " + file + ", which cannot be read");
        }
        try {
            return ofBase64(text);
        } catch (InvalidKeyException e) {
            throw new InvalidKeyException("the key in " + FILE_ENV + " (" + file + ") " + e.getMessage());
        }
    }

    byte[] bytes() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MasterKey other && java.security.MessageDigest.isEqual(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "MasterKey[<redacted>]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A master key that cannot be used; the message names where it came from, never the key. */
    public static final class InvalidKeyException extends Exception {
        public InvalidKeyException(String message) {
            super(message, null, false, false);
        }
    }
}
