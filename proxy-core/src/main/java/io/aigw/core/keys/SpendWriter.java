package io.aigw.core.keys;

import io.aigw.core.keys.KeyStore.SpendDelta;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds each exchange's spend to its key's day in the database, batched: {@link #add} only queues
 * (it runs on an event loop), a thread of its own sums the queue per key and day and upserts it
 * about once a second, and once more at {@link #close}. A failed write is kept and tried again
 * with the next batch; the ledger hears of what is written, so its view counts nothing twice.
 */
public final class SpendWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpendWriter.class);
    /** Key-days held while the database is down; beyond it the oldest unwritten spend is dropped. */
    private static final int MAX_HELD = 100_000;

    /** One exchange's spend; its UTC day as an epoch day, made a date only by the writer thread. */
    private record Item(long keyId, long epochDay, Spend spend) {
        LocalDate day() {
            return LocalDate.ofEpochDay(epochDay);
        }
    }

    private final KeyStore store;
    private final SpendLedger ledger;
    private final long intervalMillis;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    /** Summed per key and day but not yet written; only touched under {@code this}. */
    private final Map<String, SpendDelta> held = new LinkedHashMap<>();

    private final Thread thread;
    private volatile boolean stopping;

    public SpendWriter(KeyStore store, SpendLedger ledger, long intervalMillis) {
        this.store = store;
        this.ledger = ledger;
        this.intervalMillis = intervalMillis;
        this.thread = new Thread(this::run, "aigw-key-spend");
        this.thread.setDaemon(true);
    }

    public SpendWriter start() {
        thread.start();
        return this;
    }

    /** Queues one exchange's spend; never blocks. */
    public void add(long keyId, long epochMillis, Spend spend) {
        queue.add(new Item(keyId, Math.floorDiv(epochMillis, 86_400_000L), spend));
    }

    private void run() {
        while (!stopping) {
            try {
                TimeUnit.MILLISECONDS.sleep(intervalMillis);
            } catch (InterruptedException e) {
                break;
            }
            flush();
        }
    }

    /**
     * Writes everything queued so far; true when nothing is left unwritten. Safe from any thread
     * but an event loop (the admin API calls it before it sums a key's spend).
     */
    public synchronized boolean flush() {
        for (Item it; (it = queue.poll()) != null; ) {
            String k = it.keyId() + "/" + it.epochDay();
            SpendDelta d = held.get(k);
            held.put(
                    k,
                    new SpendDelta(
                            it.keyId(),
                            it.day(),
                            d == null ? it.spend() : d.spend().plus(it.spend())));
        }
        if (held.isEmpty()) {
            return true;
        }
        List<SpendDelta> batch = new ArrayList<>(held.values());
        try {
            store.addSpend(batch);
        } catch (Exception e) {
            log.warn(
                    "writing key spend failed ({} key-days held, retried in a second): {}", batch.size(), e.toString());
            while (held.size() > MAX_HELD) {
                held.remove(held.keySet().iterator().next());
            }
            return false;
        }
        held.clear();
        for (SpendDelta d : batch) {
            ledger.written(d.keyId(), d.spend().usd());
        }
        return true;
    }

    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
