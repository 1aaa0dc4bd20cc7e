package io.aigw.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code request_log:} block: where every exchange's record goes and what it holds.
 *
 * @param store where rows go
 * @param bodies what of the exchange is kept: {@code FULL} (headers and bodies), {@code METADATA}
 *     (allow-listed headers, no bodies), {@code OFF} (neither)
 * @param maxBodyBytes each body is cut to this many bytes (and flagged truncated)
 * @param sqlitePath the SQLite file (default {@code <data_dir>/requests.db})
 * @param postgres the PostgreSQL connection, or null unless {@code store: postgres}
 * @param retention rows older than this are deleted; {@link Duration#ZERO} keeps them forever
 * @param redactRules built-in redaction rule names, in order
 * @param customRedactions custom rules: name to regex, in file order
 * @param queueCapacity records waiting for the writer; beyond it they are counted as dropped
 * @param batchSize rows per insert
 * @param flushInterval the oldest waiting record is written after at most this long
 * @param spillDir where records wait while the database is unreachable
 * @param drainTimeout how long a stop may take to write what is queued and spilled
 * @param durability {@code BATCH}: a record is written within the flush interval (a crash loses
 *     what is younger); {@code WAL}: it is forced to a local write-ahead log before the last byte
 *     of its answer goes out
 */
public record RequestLogConfig(
        Store store,
        Bodies bodies,
        int maxBodyBytes,
        Path sqlitePath,
        Postgres postgres,
        Duration retention,
        List<String> redactRules,
        Map<String, String> customRedactions,
        int queueCapacity,
        int batchSize,
        Duration flushInterval,
        Path spillDir,
        Duration drainTimeout,
        Durability durability) {

    /** As before durability was a choice: {@link Durability#BATCH}. */
    public RequestLogConfig(
            Store store,
            Bodies bodies,
            int maxBodyBytes,
            Path sqlitePath,
            Postgres postgres,
            Duration retention,
            List<String> redactRules,
            Map<String, String> customRedactions,
            int queueCapacity,
            int batchSize,
            Duration flushInterval,
            Path spillDir,
            Duration drainTimeout) {
        this(
                store,
                bodies,
                maxBodyBytes,
                sqlitePath,
                postgres,
                retention,
                redactRules,
                customRedactions,
                queueCapacity,
                batchSize,
                flushInterval,
                spillDir,
                drainTimeout,
                Durability.BATCH);
    }

    public enum Store {
        SQLITE,
        POSTGRES,
        STDOUT,
        OFF
    }

    public enum Durability {
        BATCH,
        WAL
    }

    public enum Bodies {
        FULL,
        METADATA,
        OFF
    }

    /** The password is a secret: never in {@link #toString()}. */
    public record Postgres(String url, String user, String password) {
        @Override
        public String toString() {
            return "Postgres[url=" + url + ", user=" + user + ", password=<redacted>]";
        }
    }

    public static final List<String> BUILTIN_RULES = List.of("email", "phone", "card", "secret");

    /** The defaults for a data directory: SQLite under it, full bodies, every built-in rule, 30 days. */
    public static RequestLogConfig defaults(Path dataDir) {
        return new RequestLogConfig(
                Store.SQLITE,
                Bodies.FULL,
                64 * 1024,
                dataDir.resolve("requests.db"),
                null,
                Duration.ofDays(30),
                BUILTIN_RULES,
                Map.of(),
                65_536,
                500,
                Duration.ofMillis(200),
                dataDir.resolve("spill"),
                Duration.ofSeconds(10),
                Durability.BATCH);
    }
}
