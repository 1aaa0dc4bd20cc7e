package io.aigw.core.config;

import io.aigw.core.auth.KeyHash;
import java.util.List;

/**
 * Client API keys, only as SHA-256 hashes: plaintext keys from the file or {@code PROXY_API_KEYS}
 * are hashed by the loader and never kept.
 */
public record AuthConfig(List<KeyHash> apiKeyHashes) {}
