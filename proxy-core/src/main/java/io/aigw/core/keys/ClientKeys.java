package io.aigw.core.keys;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database keys of one server: the store, the cached directory the auth handler asks, the
 * spend ledger the budget check reads and the writer that records spend. Opened at start, closed
 * at stop (after the event loops, so the writer's last flush has every exchange's spend).
 */
public final class ClientKeys implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientKeys.class);

    private final KeyStore store;
    private final SpendLedger ledger;
    private final KeyDirectory directory;
    private final SpendWriter writer;

    private ClientKeys(KeyStore store, KeyDirectory.Tuning tuning, Clock clock, long flushMillis) {
        this.store = store;
        this.ledger = new SpendLedger();
        this.directory = new KeyDirectory(store, ledger, tuning, clock);
        this.writer = new SpendWriter(store, ledger, flushMillis);
    }

    /**
     * Opens over {@code store}, migrating it first. A database that is down does not stop the
     * start: lookups and the admin API then answer 503 until it is back; the request log's writer,
     * which runs the same migrations on the same database, applies them once it answers.
     */
    public static ClientKeys open(KeyStore store, KeyDirectory.Tuning tuning, Clock clock, long flushMillis) {
        try {
            store.migrate();
        } catch (Exception e) {
            // INFO: the request log (same database) already warns that it does not answer, and each
            // lookup that fails meanwhile says so; the migration is tried again with the next call.
            log.info("{}: not migrated yet (database keys answer 503 until it answers): {}", store, e.toString());
        }
        ClientKeys keys = new ClientKeys(store, tuning, clock, flushMillis);
        keys.directory.start();
        keys.writer.start();
        log.info("client keys: {}", store);
        return keys;
    }

    public static ClientKeys open(KeyStore store) {
        return open(store, KeyDirectory.Tuning.DEFAULT, Clock.systemUTC(), 1_000);
    }

    public KeyStore store() {
        return store;
    }

    public KeyDirectory directory() {
        return directory;
    }

    public SpendLedger ledger() {
        return ledger;
    }

    public SpendWriter writer() {
        return writer;
    }

    /**
     * One exchange of the key is over: its cost (NaN: unknown, no USD) and tokens are queued for the
     * writer and counted in the ledger at once. Never blocks; called on an event loop.
     */
    public void record(long keyId, double costUsd, long inputTokens, long outputTokens, long epochMillis) {
        double usd = Double.isFinite(costUsd) && costUsd > 0 ? costUsd : 0;
        if (usd > 0) {
            ledger.recorded(keyId, usd);
        }
        writer.add(keyId, epochMillis, new Spend(usd, Math.max(0, inputTokens), Math.max(0, outputTokens), 1));
    }

    @Override
    public void close() {
        directory.close();
        writer.close();
        store.close();
    }
}
