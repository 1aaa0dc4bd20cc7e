package io.aigw.core.keys;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteKeyStoreTest extends KeyStoreContract {
    @TempDir
    Path dir;

    @Override
    protected KeyStore openEmpty() {
        return KeyStores.sqlite(dir.resolve("requests.db"));
    }
}
