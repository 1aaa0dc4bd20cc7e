package io.aigw.core.keys;

import io.aigw.core.auth.KeyHash;
import java.time.Instant;

/**
 * A client key kept in the database: its settings, its hash (never the key) and, after a rotation
 * with grace, the previous hash and until when that one still works.
 *
 * @param prefix what humans see of the key: {@code sk-aigw-} and four characters, then an ellipsis
 */
public record ClientKey(
        long id,
        KeyHash hash,
        String prefix,
        Instant createdAt,
        Instant revokedAt,
        KeyHash previousHash,
        Instant previousValidUntil,
        KeySettings settings) {

    public boolean isRevoked() {
        return revokedAt != null;
    }

    public boolean isExpired(Instant now) {
        return settings.expiresAt() != null && !now.isBefore(settings.expiresAt());
    }

    /**
     * Whether {@code presented} is this key's secret: the current one, or the previous one within its
     * grace. Both compared in constant time, always both, so timing does not tell which matched.
     */
    public boolean accepts(KeyHash presented, Instant now) {
        boolean current = hash.matches(presented);
        boolean previous = previousHash != null && previousHash.matches(presented);
        return current || previous && previousValidUntil != null && now.isBefore(previousValidUntil);
    }

    public ClientKey withSettings(KeySettings s) {
        return new ClientKey(id, hash, prefix, createdAt, revokedAt, previousHash, previousValidUntil, s);
    }
}
