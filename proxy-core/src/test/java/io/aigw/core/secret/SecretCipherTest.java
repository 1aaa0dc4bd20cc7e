package io.aigw.core.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.secret.SecretCipher.DecryptionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretCipherTest {
    static final String SECRET = "sk-live-provider-0123456789";

    @TempDir
    Path dir;

    @Test
    void roundTripWithAFreshNonceEachTime() throws Exception {
        MasterKey key = MasterKey.ofBase64(MasterKey.generateBase64());
        String a = SecretCipher.encrypt(key, SECRET);
        String b = SecretCipher.encrypt(key, SECRET);
        assertTrue(a.startsWith("enc:v1:"), a);
        assertNotEquals(a, b, "a random nonce per encryption");
        assertFalse(a.contains(SECRET));
        assertEquals(SECRET, SecretCipher.decrypt(key, a));
        assertEquals(SECRET, SecretCipher.decrypt(key, b));
        assertEquals("ünïcødé ✓", SecretCipher.decrypt(key, SecretCipher.encrypt(key, "ünïcødé ✓")));
        assertEquals("", SecretCipher.decrypt(key, SecretCipher.encrypt(key, "")));
    }

    /** The documented format, decrypted independently: nonce ‖ ciphertext+tag, AAD "aigw:enc:v1". */
    @Test
    void theFormatIsTheDocumentedOne() throws Exception {
        String b64 = MasterKey.generateBase64();
        String value = SecretCipher.encrypt(MasterKey.ofBase64(b64), SECRET);
        byte[] raw = Base64.getDecoder().decode(value.substring("enc:v1:".length()));
        assertEquals(12 + SECRET.length() + 16, raw.length);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(
                Cipher.DECRYPT_MODE,
                new SecretKeySpec(Base64.getDecoder().decode(b64), "AES"),
                new GCMParameterSpec(128, raw, 0, 12));
        c.updateAAD("aigw:enc:v1".getBytes(StandardCharsets.US_ASCII));
        assertEquals(SECRET, new String(c.doFinal(raw, 12, raw.length - 12), StandardCharsets.UTF_8));
    }

    @Test
    void aWrongKeyOrATamperedValueIsRefusedWithoutTheValue() throws Exception {
        MasterKey key = MasterKey.ofBase64(MasterKey.generateBase64());
        MasterKey other = MasterKey.ofBase64(MasterKey.generateBase64());
        String value = SecretCipher.encrypt(key, SECRET);
        DecryptionException wrong = assertThrows(DecryptionException.class, () -> SecretCipher.decrypt(other, value));
        assertEquals(DecryptionException.Reason.WRONG_KEY, wrong.reason());

        byte[] raw = Base64.getDecoder().decode(value.substring(7));
        raw[raw.length / 2] ^= 1;
        String tampered = "enc:v1:" + Base64.getEncoder().encodeToString(raw);
        DecryptionException changed =
                assertThrows(DecryptionException.class, () -> SecretCipher.decrypt(key, tampered));
        assertEquals(DecryptionException.Reason.WRONG_KEY, changed.reason());
        assertFalse(changed.getMessage().contains(tampered));

        for (String bad : new String[] {"enc:v1:", "enc:v1:!!!not-base64", "enc:v1:AAAA", "plain"}) {
            assertEquals(
                    DecryptionException.Reason.MALFORMED,
                    assertThrows(DecryptionException.class, () -> SecretCipher.decrypt(key, bad))
                            .reason(),
                    bad);
        }
    }

    @Test
    void masterKeyFromTheEnvironmentOrAFile() throws Exception {
        String b64 = MasterKey.generateBase64();
        assertEquals(32, Base64.getDecoder().decode(b64).length);
        assertNull(MasterKey.fromEnv(Map.of()));
        assertEquals(MasterKey.ofBase64(b64), MasterKey.fromEnv(Map.of("AIGW_MASTER_KEY", b64)));
        Path file = dir.resolve("master.key");
        Files.writeString(file, b64 + "\n");
        assertEquals(MasterKey.ofBase64(b64), MasterKey.fromEnv(Map.of("AIGW_MASTER_KEY_FILE", file.toString())));
        assertFalse(MasterKey.ofBase64(b64).toString().contains(b64));

        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        String m = assertThrows(
                        MasterKey.InvalidKeyException.class,
                        () -> MasterKey.fromEnv(Map.of("AIGW_MASTER_KEY", shortKey)))
                .getMessage();
        assertEquals("AIGW_MASTER_KEY must be 32 bytes, base64-encoded (it is 16)", m);
        assertFalse(m.contains(shortKey));
        assertEquals(
                "AIGW_MASTER_KEY is not base64",
                assertThrows(
                                MasterKey.InvalidKeyException.class,
                                () -> MasterKey.fromEnv(Map.of("AIGW_MASTER_KEY", "not base64 at all!")))
                        .getMessage());
        assertTrue(assertThrows(
                        MasterKey.InvalidKeyException.class,
                        () -> MasterKey.fromEnv(Map.of(
                                "AIGW_MASTER_KEY_FILE", dir.resolve("missing").toString())))
                .getMessage()
                .contains("does not exist"));
        assertTrue(assertThrows(
                        MasterKey.InvalidKeyException.class,
                        () -> MasterKey.fromEnv(
                                Map.of("AIGW_MASTER_KEY", b64, "AIGW_MASTER_KEY_FILE", file.toString())))
                .getMessage()
                .contains("set only one"));
    }
}
