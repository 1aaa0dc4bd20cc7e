package io.aigw.server;

import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.keys.KeyStore;
import io.aigw.core.keys.KeyStores;

/**
 * Where the database keys live: in the request log's database (its SQLite file, or its PostgreSQL),
 * and in the request log's SQLite file ({@code request_log.sqlite.path}, by default
 * {@code <data_dir>/requests.db}) when the log is {@code off} or {@code stdout}: keys need a
 * database even where the log has none.
 */
final class KeyStoresFor {
    private KeyStoresFor() {}

    static KeyStore config(ProxyConfig config) {
        RequestLogConfig log = config.requestLog();
        if (log.store() == RequestLogConfig.Store.POSTGRES) {
            return KeyStores.postgres(
                    log.postgres().url(), log.postgres().user(), log.postgres().password());
        }
        return KeyStores.sqlite(log.sqlitePath());
    }
}
