package io.aigw.core.keys;

import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * This process's view of what each key spent in its budget period, for the budget check on the
 * event loop (no I/O there): the database's sum as of the last refresh, plus what this process
 * added since that the refresh did not see.
 *
 * <p>Per key it keeps {@code local} (every USD this process recorded) and {@code written} (the part
 * of it the spend writer has committed). A refresh reads {@code written} before it queries, so the
 * estimate is {@code db + local - writtenBeforeQuery}: spend written while the query runs may be
 * counted twice until the next refresh, which errs on refusing early, never on spending more.
 */
public final class SpendLedger {
    private static final class Account {
        final DoubleAdder local = new DoubleAdder();
        final DoubleAdder written = new DoubleAdder();
        /** The database's view: sum over the period from {@code periodStart}, and {@code written} then. */
        volatile Snapshot snapshot;
    }

    private record Snapshot(LocalDate periodStart, double dbUsd, double writtenAtQuery) {}

    private final Map<Long, Account> accounts = new ConcurrentHashMap<>();

    private Account account(long keyId) {
        return accounts.computeIfAbsent(keyId, id -> new Account());
    }

    /** An exchange of the key cost {@code usd} (already queued for the writer). */
    public void recorded(long keyId, double usd) {
        account(keyId).local.add(usd);
    }

    /** The writer committed {@code usd} of the key's recorded spend. */
    void written(long keyId, double usd) {
        account(keyId).written.add(usd);
    }

    /**
     * USD the key spent in the period starting {@code periodStart}, as this process knows it. Before
     * the first refresh of that period it counts only what this process has not yet written, so a
     * period that just began starts near zero (the next refresh brings other processes' spend).
     */
    public double spent(long keyId, LocalDate periodStart) {
        Account a = accounts.get(keyId);
        if (a == null) {
            return 0;
        }
        Snapshot s = a.snapshot;
        double local = a.local.sum();
        if (s == null || !s.periodStart().equals(periodStart)) {
            return Math.max(0, local - a.written.sum());
        }
        return s.dbUsd() + Math.max(0, local - s.writtenAtQuery());
    }

    /**
     * Refreshes the keys' views from {@code store}: one query per distinct period start (at most
     * four). Runs on the lookup or refresh thread, never an event loop.
     */
    public void refresh(KeyStore store, Collection<ClientKey> keys, LocalDate today) throws Exception {
        Map<LocalDate, List<Long>> byStart = new HashMap<>();
        for (ClientKey k : keys) {
            if (k.settings().budgetUsd() != null) {
                byStart.computeIfAbsent(k.settings().spendPeriod().start(today), d -> new java.util.ArrayList<>())
                        .add(k.id());
            }
        }
        for (Map.Entry<LocalDate, List<Long>> e : byStart.entrySet()) {
            Map<Long, Double> writtenBefore = new HashMap<>();
            for (long id : e.getValue()) {
                writtenBefore.put(id, account(id).written.sum());
            }
            Map<Long, Spend> db = store.spendSince(e.getValue(), e.getKey());
            for (long id : e.getValue()) {
                Spend s = db.getOrDefault(id, Spend.NONE);
                account(id).snapshot = new Snapshot(e.getKey(), s.usd(), writtenBefore.get(id));
            }
        }
    }
}
