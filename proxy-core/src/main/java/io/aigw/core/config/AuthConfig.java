package io.aigw.core.config;

import io.aigw.core.auth.KeyHash;
import java.util.List;

/**
 * Client and admin API keys, only as SHA-256 hashes: plaintext keys from the file,
 * {@code PROXY_API_KEYS} or {@code PROXY_ADMIN_KEYS} are hashed by the loader and never kept.
 *
 * @param apiKeyHashes keys clients use on the OpenAI-compatible endpoints
 * @param adminKeyHashes keys for the admin endpoints; never the same as a client key
 * @param databaseKeys {@code keys.store: database} (the default): client keys are also kept in the
 *     request log's database and managed through {@code /admin/keys}; false ({@code off}) leaves
 *     only the keys above
 */
public record AuthConfig(List<KeyHash> apiKeyHashes, List<KeyHash> adminKeyHashes, boolean databaseKeys) {
    public AuthConfig(List<KeyHash> apiKeyHashes) {
        this(apiKeyHashes, List.of());
    }

    public AuthConfig(List<KeyHash> apiKeyHashes, List<KeyHash> adminKeyHashes) {
        this(apiKeyHashes, adminKeyHashes, true);
    }
}
