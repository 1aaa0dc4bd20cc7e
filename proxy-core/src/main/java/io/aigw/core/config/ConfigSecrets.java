package io.aigw.core.config;

import io.aigw.core.secret.MasterKey;
import io.aigw.core.secret.SecretCipher;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decrypts the {@code enc:v1:} string values of one configuration load (after {@code ${VAR}}
 * substitution). The master key is read from the environment only when the first encrypted value
 * is met, so a file without one needs no key. Each refusal is one line naming the key path, never
 * the value or the key.
 *
 * <p>It also remembers the plaintexts it produced, so an error that would echo a decrypted value
 * (a wrong-typed or unknown setting) shows a placeholder instead: what someone encrypted is a
 * secret wherever it sits. Values that came from the environment are remembered the same way and
 * shown as their {@code ${VAR}} reference: a secret variable put under the wrong key (a port, a
 * strategy) must not be echoed by the error of a refused start or reload.
 */
final class ConfigSecrets {
    static final String NO_KEY_HINT = "set " + MasterKey.ENV + " or " + MasterKey.FILE_ENV;

    private final Map<String, String> env;
    /** Quoted forms of decrypted and substituted values, and what an error shows instead of each. */
    private final Map<String, String> hidden = new LinkedHashMap<>();

    private MasterKey key;

    ConfigSecrets(Map<String, String> env) {
        this.env = env;
    }

    /** {@code value} itself, or its plaintext when it is an {@code enc:v1:} value. */
    String reveal(String value, String path) throws ConfigException {
        if (!SecretCipher.isEncrypted(value)) {
            return value;
        }
        MasterKey k = key(path);
        String plain;
        try {
            plain = SecretCipher.decrypt(k, value);
        } catch (SecretCipher.DecryptionException e) {
            throw ConfigNode.error(
                    path,
                    e.reason() == SecretCipher.DecryptionException.Reason.WRONG_KEY
                            ? "cannot be decrypted with this master key (another key, or a changed value)"
                            : "not a valid " + SecretCipher.PREFIX + " value (expected " + SecretCipher.PREFIX
                                    + "<base64 of nonce and ciphertext>, as `aigw secrets encrypt` prints)");
        }
        hide(plain, "\"<decrypted value>\"");
        return plain;
    }

    /** Remembers that {@code value} is what {@code reference} (a string with {@code ${...}}) became. */
    void substituted(String reference, String value) {
        hide(value, ConfigNode.quote(reference) + " (from the environment)");
    }

    private void hide(String value, String shown) {
        // Readers trim what they read before echoing it, so the trimmed form is remembered too.
        for (String form : new String[] {value, value.trim()}) {
            if (!form.isEmpty()) {
                hidden.putIfAbsent(ConfigNode.quote(form), shown);
            }
        }
    }

    /** {@code message} with any quoted decrypted or substituted value replaced by what stands for it. */
    String scrub(String message) {
        String out = message;
        for (Map.Entry<String, String> e : hidden.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    private MasterKey key(String path) throws ConfigException {
        if (key == null) {
            try {
                key = MasterKey.fromEnv(env);
            } catch (MasterKey.InvalidKeyException e) {
                throw ConfigNode.error(path, "encrypted, but " + e.getMessage());
            }
            if (key == null) {
                throw ConfigNode.error(path, "encrypted, but no master key (" + NO_KEY_HINT + ")");
            }
        }
        return key;
    }
}
