package io.aigw.core.keys;

import io.aigw.core.log.JdbcUrls;
import io.aigw.core.log.LogStores;
import io.aigw.core.log.SqlDialect;
import java.nio.file.Path;

/** The key stores, one factory per database; like the log's, none connects until used. */
public final class KeyStores {
    private KeyStores() {}

    /** Lookups, refreshes, the spend writer and the admin API: a handful of connections at most. */
    private static final int POOL_SIZE = 3;

    public static KeyStore sqlite(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return new JdbcKeyStore(
                SqlDialect.SQLITE, LogStores.sqlitePool(abs, "aigw-keys-sqlite", POOL_SIZE), "sqlite key store " + abs);
    }

    public static KeyStore postgres(String url, String user, String password) {
        return new JdbcKeyStore(
                SqlDialect.POSTGRES,
                LogStores.postgresPool(url, user, password, "aigw-keys-pg", POOL_SIZE),
                "postgres key store " + JdbcUrls.redact(url));
    }
}
