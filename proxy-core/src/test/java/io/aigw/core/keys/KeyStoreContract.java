package io.aigw.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.keys.KeyStore.SpendDelta;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every key store does, run against SQLite and PostgreSQL by the subclasses. */
abstract class KeyStoreContract {
    static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    protected KeyStore store;

    /** A store over an empty database of this kind. */
    protected abstract KeyStore openEmpty() throws Exception;

    protected void cleanUp() throws Exception {}

    @BeforeEach
    void open() throws Exception {
        store = openEmpty();
        store.migrate();
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
        cleanUp();
    }

    private static KeySettings full(String name) {
        return new KeySettings(
                name,
                List.of("gpt-4o*", "claude-3"),
                12.5,
                BudgetPeriod.WEEKLY,
                T0.plus(Duration.ofDays(30)),
                60L,
                100_000L,
                4L,
                1_000_000L,
                20_000_000L,
                "{\"team\":\"search\"}");
    }

    @Test
    void createdKeysReadBackWholeByIdAndByHash() throws Exception {
        NewSecret s = NewSecret.generate();
        ClientKey made = store.create(full("search-bot"), s.hash(), s.prefix(), T0);
        assertTrue(made.id() > 0);
        ClientKey byId = store.get(made.id());
        assertEquals(made, byId);
        assertEquals(full("search-bot"), byId.settings());
        assertEquals(T0, byId.createdAt());
        assertNull(byId.revokedAt());
        assertEquals(List.of(made), store.byHashes(List.of(s.hash(), KeyHash.ofKey("sk-nobody-has-this-key"))));
        assertNull(store.get(made.id() + 1000));
    }

    @Test
    void absentValuesStayAbsent() throws Exception {
        NewSecret s = NewSecret.generate();
        ClientKey made = store.create(KeySettings.named("bare"), s.hash(), s.prefix(), T0);
        ClientKey back = store.get(made.id());
        assertEquals(KeySettings.named("bare"), back.settings());
        assertTrue(back.settings().allowsModel("anything"));
    }

    @Test
    void listIsOrderedByIdPagedAndFilteredByNameSubstring() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (String name : List.of("alpha-app", "beta", "ALPHA-two", "gamma", "50%_off")) {
            NewSecret s = NewSecret.generate();
            ids.add(store.create(KeySettings.named(name), s.hash(), s.prefix(), T0)
                    .id());
        }
        List<ClientKey> page1 = store.list(null, 0, 2);
        assertEquals(ids.subList(0, 2), page1.stream().map(ClientKey::id).toList());
        List<ClientKey> page2 = store.list(null, page1.get(1).id(), 10);
        assertEquals(ids.subList(2, 5), page2.stream().map(ClientKey::id).toList());
        assertEquals(
                List.of("alpha-app", "ALPHA-two"),
                store.list("alpha", 0, 10).stream()
                        .map(k -> k.settings().name())
                        .toList());
        // LIKE's wildcards in the filter are plain characters.
        assertEquals(
                List.of("50%_off"),
                store.list("%_", 0, 10).stream().map(k -> k.settings().name()).toList());
    }

    @Test
    void updateReplacesTheSettingsAndRevokeKeepsTheRow() throws Exception {
        NewSecret s = NewSecret.generate();
        ClientKey made = store.create(full("x"), s.hash(), s.prefix(), T0);
        KeySettings changed = KeySettings.named("y").withModels(List.of("gpt-4o-mini"));
        ClientKey updated = store.update(made.id(), changed, T0.plusSeconds(5));
        assertEquals(changed, updated.settings());
        assertNull(store.update(made.id() + 99, changed, T0));
        ClientKey revoked = store.revoke(made.id(), T0.plusSeconds(10));
        assertEquals(T0.plusSeconds(10), revoked.revokedAt());
        assertEquals(
                T0.plusSeconds(10), store.revoke(made.id(), T0.plusSeconds(20)).revokedAt());
        assertEquals(List.of(revoked), store.byHashes(List.of(s.hash())));
    }

    @Test
    void rotationKeepsThePreviousHashOnlyWithAGrace() throws Exception {
        NewSecret first = NewSecret.generate();
        ClientKey made = store.create(KeySettings.named("r"), first.hash(), first.prefix(), T0);
        NewSecret second = NewSecret.generate();
        Instant until = T0.plusSeconds(60);
        ClientKey graced = store.rotate(made.id(), second.hash(), second.prefix(), until, T0);
        assertEquals(second.hash(), graced.hash());
        assertEquals(first.hash(), graced.previousHash());
        assertEquals(until, graced.previousValidUntil());
        assertTrue(graced.accepts(first.hash(), T0.plusSeconds(59)));
        assertFalse(graced.accepts(first.hash(), until));
        assertTrue(graced.accepts(second.hash(), until));
        assertEquals(List.of(graced), store.byHashes(List.of(first.hash())));

        NewSecret third = NewSecret.generate();
        ClientKey at = store.rotate(made.id(), third.hash(), third.prefix(), null, T0);
        assertNull(at.previousHash());
        assertFalse(at.accepts(second.hash(), T0));
        assertEquals(List.of(), store.byHashes(List.of(first.hash(), second.hash())));
    }

    @Test
    void spendIsUpsertedPerDayAndSummedFromAPeriodStart() throws Exception {
        NewSecret s = NewSecret.generate();
        long id = store.create(KeySettings.named("s"), s.hash(), s.prefix(), T0).id();
        LocalDate d1 = LocalDate.of(2026, 11, 30);
        LocalDate d2 = LocalDate.of(2026, 12, 6);
        store.addSpend(List.of(
                new SpendDelta(id, d1, new Spend(1.0, 10, 20, 1)), new SpendDelta(id, d2, new Spend(0.25, 1, 2, 1))));
        store.addSpend(List.of(new SpendDelta(id, d2, new Spend(0.5, 3, 4, 2))));
        assertEquals(
                Map.of(id, new Spend(1.75, 14, 26, 4)), store.spendSince(List.of(id, 999L), BudgetPeriod.BEGINNING));
        assertEquals(Map.of(id, new Spend(0.75, 4, 6, 3)), store.spendSince(List.of(id), d2));
        assertEquals(Map.of(), store.spendSince(List.of(id), d2.plusDays(1)));
    }

    @Test
    void aStoreNeverMigratedMigratesOnFirstUse() throws Exception {
        store.close();
        cleanUp();
        store = openEmpty(); // a database that was down when the server started: no migrate() yet
        NewSecret s = NewSecret.generate();
        ClientKey made = store.create(KeySettings.named("late"), s.hash(), s.prefix(), T0);
        assertEquals(made, store.get(made.id()));
    }

    @Test
    void migrateTwiceIsANoOp() throws Exception {
        store.migrate();
        store.migrate();
    }

    @Test
    void spendWrittenByTheWriterReachesTheLedgerAndTheDatabase() throws Exception {
        NewSecret s = NewSecret.generate();
        ClientKey k =
                store.create(KeySettings.named("w").withBudget(1.0, BudgetPeriod.DAILY), s.hash(), s.prefix(), T0);
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        try (ClientKeys keys = ClientKeys.open(store, KeyDirectory.Tuning.DEFAULT, clock, 50)) {
            store = null; // closed by keys
            keys.record(k.id(), 0.4, 100, 50, T0.toEpochMilli());
            keys.record(k.id(), Double.NaN, 1, 1, T0.toEpochMilli());
            LocalDate today = keys.directory().today();
            assertEquals(0.4, keys.ledger().spent(k.id(), today), 1e-9);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            Map<Long, Spend> db;
            do {
                Thread.sleep(20);
                db = keys.store().spendSince(List.of(k.id()), today);
            } while (db.isEmpty() && System.nanoTime() < deadline);
            assertEquals(new Spend(0.4, 101, 51, 2), db.get(k.id()));
            keys.ledger().refresh(keys.store(), List.of(k), today);
            // Written and refreshed: counted once, not twice.
            assertEquals(0.4, keys.ledger().spent(k.id(), today), 1e-9);
            keys.record(k.id(), 0.1, 0, 0, T0.toEpochMilli());
            assertEquals(0.5, keys.ledger().spent(k.id(), today), 1e-9);
        }
    }
}
