package io.aigw.core.keys;

import io.aigw.core.auth.KeyHash;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where client keys and their spend live. Every call blocks on the database: callers run it on an
 * executor, never on an event loop. Methods that take an id return null when no key has it.
 */
public interface KeyStore extends AutoCloseable {
    /** Brings the schema up to date (the request log's migrations, which include the keys' tables). */
    void migrate() throws SQLException;

    ClientKey create(KeySettings settings, KeyHash hash, String prefix, Instant now) throws SQLException;

    ClientKey get(long id) throws SQLException;

    /** The keys whose current or previous hash is one of {@code hashes}: one query per call. */
    List<ClientKey> byHashes(Collection<KeyHash> hashes) throws SQLException;

    /** The keys with these ids (missing ones are left out). */
    List<ClientKey> byIds(Collection<Long> ids) throws SQLException;

    /** Keys with an id above {@code afterId} whose name contains {@code nameContains} (null: any), by id. */
    List<ClientKey> list(String nameContains, long afterId, int limit) throws SQLException;

    ClientKey update(long id, KeySettings settings, Instant now) throws SQLException;

    /** Sets {@code revoked_at} (once: a second revoke keeps the first time). */
    ClientKey revoke(long id, Instant now) throws SQLException;

    /**
     * A new secret for the key; the old one keeps working until {@code previousValidUntil}, or stops at
     * once when that is null.
     */
    ClientKey rotate(long id, KeyHash newHash, String prefix, Instant previousValidUntil, Instant now)
            throws SQLException;

    /** Adds each delta to its key's row for its day, in one transaction. */
    void addSpend(List<SpendDelta> deltas) throws SQLException;

    /** Per key, the sum of its days from {@code from} on; keys without spend are left out. */
    Map<Long, Spend> spendSince(Collection<Long> ids, LocalDate from) throws SQLException;

    /** What one batched write adds to a key's day. */
    record SpendDelta(long keyId, LocalDate day, Spend spend) {}

    @Override
    void close();
}
