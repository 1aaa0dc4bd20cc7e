package io.aigw.server.it;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.keys.ClientKey;
import io.aigw.core.keys.KeySettings;
import io.aigw.core.keys.KeyStore;
import io.aigw.core.keys.Spend;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** A key store that counts the SQL statements made through it, for the tests that bound them. */
final class CountingKeyStore implements KeyStore {
    /** Hashes per statement of {@link KeyStore#byHashes} (the store's IN-list chunk). */
    private static final int CHUNK = 500;

    private final KeyStore store;
    /** Statements that looked hashes up (the misses' queries). */
    final AtomicLong hashStatements = new AtomicLong();
    /** Hashes those statements asked for. */
    final AtomicLong hashesAsked = new AtomicLong();
    /** Every statement, the refreshes' and the spend writer's included. */
    final AtomicLong statements = new AtomicLong();

    CountingKeyStore(KeyStore store) {
        this.store = store;
    }

    @Override
    public void migrate() throws SQLException {
        store.migrate();
    }

    @Override
    public ClientKey create(KeySettings settings, KeyHash hash, String prefix, Instant now) throws SQLException {
        statements.incrementAndGet();
        return store.create(settings, hash, prefix, now);
    }

    @Override
    public ClientKey get(long id) throws SQLException {
        statements.incrementAndGet();
        return store.get(id);
    }

    @Override
    public List<ClientKey> byHashes(Collection<KeyHash> hashes) throws SQLException {
        long n = (hashes.size() + CHUNK - 1) / CHUNK;
        hashStatements.addAndGet(n);
        hashesAsked.addAndGet(hashes.size());
        statements.addAndGet(n);
        return store.byHashes(hashes);
    }

    @Override
    public List<ClientKey> byIds(Collection<Long> ids) throws SQLException {
        statements.addAndGet((ids.size() + CHUNK - 1) / CHUNK);
        return store.byIds(ids);
    }

    @Override
    public List<ClientKey> list(String nameContains, long afterId, int limit) throws SQLException {
        statements.incrementAndGet();
        return store.list(nameContains, afterId, limit);
    }

    @Override
    public ClientKey update(long id, KeySettings settings, Instant now) throws SQLException {
        statements.addAndGet(2);
        return store.update(id, settings, now);
    }

    @Override
    public ClientKey revoke(long id, Instant now) throws SQLException {
        statements.addAndGet(2);
        return store.revoke(id, now);
    }

    @Override
    public ClientKey rotate(long id, KeyHash newHash, String prefix, Instant previousValidUntil, Instant now)
            throws SQLException {
        statements.addAndGet(2);
        return store.rotate(id, newHash, prefix, previousValidUntil, now);
    }

    @Override
    public void addSpend(List<SpendDelta> deltas) throws SQLException {
        statements.incrementAndGet();
        store.addSpend(deltas);
    }

    @Override
    public Map<Long, Spend> spendSince(Collection<Long> ids, LocalDate from) throws SQLException {
        statements.addAndGet((ids.size() + CHUNK - 1) / CHUNK);
        return store.spendSince(ids, from);
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "counting " + store;
    }
}
