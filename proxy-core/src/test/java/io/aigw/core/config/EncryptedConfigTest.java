package io.aigw.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aigw.core.secret.MasterKey;
import io.aigw.core.secret.SecretCipher;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code enc:v1:} values through {@link ConfigLoader}: decrypted at load, refused in one line naming the key. */
class EncryptedConfigTest {
    private static final String SECRET = "sk-live-openai-0123456789abcdef";
    private static final String MASTER = MasterKey.generateBase64();
    private static final Map<String, String> ENV = Map.of("AIGW_MASTER_KEY", MASTER);

    private static String enc(String plaintext) throws Exception {
        return SecretCipher.encrypt(MasterKey.ofBase64(MASTER), plaintext);
    }

    private static String yaml(String apiKeyLine) {
        return """
                providers:
                  openai:
                    type: openai
                    base_url: https://api.openai.com/v1
                %s
                """.formatted(apiKeyLine);
    }

    private static ProxyConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(Set.of("openai"), env).parse(yaml, "test.yaml");
    }

    private static String error(String yaml, Map<String, String> env) {
        String m = assertThrows(ConfigException.class, () -> parse(yaml, env)).getMessage();
        assertFalse(m.contains(SECRET), m);
        assertFalse(m.contains(MASTER), m);
        assertFalse(m.contains("\n"), m);
        return m;
    }

    @Test
    void providerKeysAndOtherStringsAreDecryptedAtLoad() throws Exception {
        String value = enc(SECRET);
        ProxyConfig c = parse(
                yaml("    api_keys: [\"" + value + "\", \"" + enc("sk-second-key-abcdef") + "\"]\n"
                        + "    headers: {X-Org: \"" + enc("org-secret-xyz") + "\"}\n"
                        + "request_log:\n  store: postgres\n  postgres: {password: \"" + enc("pg-pass") + "\"}"),
                ENV);
        ProviderConfig p = c.providers().get("openai");
        assertEquals(List.of(SECRET, "sk-second-key-abcdef"), p.apiKeys());
        assertEquals("org-secret-xyz", p.headers().get("X-Org"));
        assertEquals("pg-pass", c.requestLog().postgres().password());
        assertFalse(p.toString().contains(SECRET), p.toString());
        assertFalse(c.toString().contains(SECRET));
        assertFalse(c.toString().contains("pg-pass"));
    }

    @Test
    void anEncryptedValueMayComeFromAnEnvironmentVariable() throws Exception {
        Map<String, String> env = Map.of("AIGW_MASTER_KEY", MASTER, "OPENAI_KEY", enc(SECRET));
        ProxyConfig c = parse(yaml("    api_key: ${OPENAI_KEY}"), env);
        assertEquals(SECRET, c.providers().get("openai").apiKey());
        ProxyConfig fromFileKey = parse(yaml("    api_key: \"" + enc(SECRET) + "\""), ENV);
        assertEquals(SECRET, fromFileKey.providers().get("openai").apiKey());
    }

    @Test
    void aFileWithoutEncryptedValuesNeedsNoMasterKey() throws Exception {
        assertEquals(
                "sk-plain-key-0123456789",
                parse(yaml("    api_key: sk-plain-key-0123456789"), Map.of())
                        .providers()
                        .get("openai")
                        .apiKey());
    }

    @Test
    void aMissingMasterKeyNamesTheKeyPath() throws Exception {
        assertEquals(
                "providers.openai.api_key: encrypted, but no master key (set AIGW_MASTER_KEY or AIGW_MASTER_KEY_FILE)",
                error(yaml("    api_key: \"" + enc(SECRET) + "\""), Map.of()));
        assertEquals(
                "providers.openai.api_keys[1]: encrypted, but no master key (set AIGW_MASTER_KEY or AIGW_MASTER_KEY_FILE)",
                error(yaml("    api_keys: [sk-plain-key-0123456789, \"" + enc(SECRET) + "\"]"), Map.of()));
    }

    @Test
    void aWrongMasterKeyNamesTheKeyPath() throws Exception {
        String other = MasterKey.generateBase64();
        assertEquals(
                "providers.openai.api_key: cannot be decrypted with this master key (another key, or a changed value)",
                error(yaml("    api_key: \"" + enc(SECRET) + "\""), Map.of("AIGW_MASTER_KEY", other)));
        String bad = Base64.getEncoder().encodeToString(new byte[20]);
        String m = error(yaml("    api_key: \"" + enc(SECRET) + "\""), Map.of("AIGW_MASTER_KEY", bad));
        assertEquals(
                "providers.openai.api_key: encrypted, but AIGW_MASTER_KEY must be 32 bytes, base64-encoded (it is 20)",
                m);
    }

    @Test
    void aTamperedOrMalformedValueIsRefused() throws Exception {
        String value = enc(SECRET);
        byte[] raw = Base64.getDecoder().decode(value.substring(7));
        raw[14] ^= 0x40;
        String tampered = "enc:v1:" + Base64.getEncoder().encodeToString(raw);
        assertEquals(
                "providers.openai.api_key: cannot be decrypted with this master key (another key, or a changed value)",
                error(yaml("    api_key: \"" + tampered + "\""), ENV));
        String m = error(yaml("    api_key: \"enc:v1:%%%\""), ENV);
        assertEquals(
                "providers.openai.api_key: not a valid enc:v1: value (expected enc:v1:<base64 of nonce and ciphertext>,"
                        + " as `aigw secrets encrypt` prints)",
                m);
    }

    /** A setting that echoes a bad value in its error does not echo a decrypted one. */
    @Test
    void anErrorNeverEchoesADecryptedValue() throws Exception {
        String m = error(yaml("    key_strategy: \"" + enc("sk-echoed-secret-value") + "\""), ENV);
        assertFalse(m.contains("sk-echoed-secret-value"), m);
        assertEquals(
                "providers.openai.key_strategy: expected round_robin, priority or least_used, got \"<decrypted value>\"",
                m);
    }
}
