package io.aigw.core.config;

import io.aigw.core.auth.KeyHash;
import java.util.List;

/**
 * Client and admin API keys, only as SHA-256 hashes: plaintext keys from the file,
 * {@code PROXY_API_KEYS} or {@code PROXY_ADMIN_KEYS} are hashed by the loader and never kept.
 *
 * @param apiKeyHashes keys clients use on the OpenAI-compatible endpoints
 * @param adminKeyHashes keys for the admin endpoints; never the same as a client key
 */
public record AuthConfig(List<KeyHash> apiKeyHashes, List<KeyHash> adminKeyHashes) {
    public AuthConfig(List<KeyHash> apiKeyHashes) {
        this(apiKeyHashes, List.of());
    }
}
