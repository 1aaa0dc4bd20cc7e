package io.aigw.core.secret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code enc:v1:} format of secrets kept at rest in the configuration: {@code enc:v1:} followed
 * by the base64 of a 12-byte random nonce and the AES-256-GCM ciphertext with its 16-byte tag. The
 * additional authenticated data is the fixed string {@code aigw:enc:v1}, so a ciphertext made for
 * another purpose under the same key is refused rather than read as a config secret.
 *
 * <p>The plaintext is UTF-8. Nothing here logs or puts a plaintext or key in an exception message.
 */
public final class SecretCipher {
    public static final String PREFIX = "enc:v1:";
    /** Bound into every ciphertext (GCM's AAD): the format and its purpose. */
    static final byte[] AAD = "aigw:enc:v1".getBytes(StandardCharsets.US_ASCII);

    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretCipher() {}

    /** True when {@code value} is meant to be decrypted (it has the prefix), well-formed or not. */
    public static boolean isEncrypted(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** Encrypts {@code plaintext} under {@code key} with a fresh random nonce. */
    public static String encrypt(MasterKey key, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, key, nonce);
            byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out = ByteBuffer.allocate(nonce.length + sealed.length);
            out.put(nonce).put(sealed);
            return PREFIX + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            // AES-GCM is mandatory in every JDK: this is a broken runtime, not bad input.
            throw new IllegalStateException(
                    "AES-GCM is not available: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Decrypts an {@code enc:v1:} value.
     *
     * @throws DecryptionException {@link DecryptionException.Reason#MALFORMED} when it is not the
     *     format at all, {@link DecryptionException.Reason#WRONG_KEY} when the tag does not verify
     *     (another key, or a changed ciphertext: GCM cannot tell them apart)
     */
    public static String decrypt(MasterKey key, String value) throws DecryptionException {
        if (!isEncrypted(value)) {
            throw new DecryptionException(DecryptionException.Reason.MALFORMED);
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value.substring(PREFIX.length()).trim());
        } catch (IllegalArgumentException e) {
            throw new DecryptionException(DecryptionException.Reason.MALFORMED);
        }
        if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new DecryptionException(DecryptionException.Reason.MALFORMED);
        }
        try {
            byte[] nonce = java.util.Arrays.copyOf(raw, NONCE_BYTES);
            Cipher c = cipher(Cipher.DECRYPT_MODE, key, nonce);
            byte[] plain = c.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new DecryptionException(DecryptionException.Reason.WRONG_KEY);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "AES-GCM is not available: " + e.getClass().getSimpleName());
        }
    }

    private static Cipher cipher(int mode, MasterKey key, byte[] nonce) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key.bytes(), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(AAD);
        return c;
    }

    /** Why a value could not be decrypted; the message never holds the value or the key. */
    public static final class DecryptionException extends Exception {
        public enum Reason {
            MALFORMED,
            WRONG_KEY
        }

        private final Reason reason;

        DecryptionException(Reason reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }
}
