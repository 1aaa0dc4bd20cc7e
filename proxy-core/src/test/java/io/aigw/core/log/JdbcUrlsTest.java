package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JdbcUrlsTest {
    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("socketTimeout", "10");
        DEFAULTS.put("reWriteBatchedInserts", "true");
    }

    @Test
    void defaultsAreAppendedWhereAbsent() {
        assertEquals(
                "jdbc:postgresql://h/db?socketTimeout=10&reWriteBatchedInserts=true",
                JdbcUrls.withDefaults("jdbc:postgresql://h/db", DEFAULTS));
        assertEquals(
                "jdbc:postgresql://h/db?currentSchema=s&socketTimeout=10&reWriteBatchedInserts=true",
                JdbcUrls.withDefaults("jdbc:postgresql://h/db?currentSchema=s", DEFAULTS));
        assertEquals(
                "jdbc:postgresql://h/db?socketTimeout=10&reWriteBatchedInserts=true",
                JdbcUrls.withDefaults("jdbc:postgresql://h/db?", DEFAULTS));
    }

    @Test
    void theOperatorsSettingsWin() {
        assertEquals(
                "jdbc:postgresql://h/db?socketTimeout=60&reWriteBatchedInserts=false",
                JdbcUrls.withDefaults("jdbc:postgresql://h/db?socketTimeout=60&reWriteBatchedInserts=false", DEFAULTS));
    }

    @Test
    void everyPostgresDefaultIsAnOutageBound() {
        assertEquals(
                Map.of(
                        "connectTimeout",
                        "1",
                        "loginTimeout",
                        "2",
                        "socketTimeout",
                        "10",
                        "reWriteBatchedInserts",
                        "true",
                        "ApplicationName",
                        "aigw"),
                LogStores.PG_URL_DEFAULTS);
    }

    @Test
    void passwordsAreMasked() {
        assertEquals(
                "jdbc:postgresql://h/db?user=u&password=***&ssl=true",
                JdbcUrls.redact("jdbc:postgresql://h/db?user=u&password=s3cret&ssl=true"));
        assertEquals("jdbc:postgresql://h/db?Password=***", JdbcUrls.redact("jdbc:postgresql://h/db?Password=s3cret"));
        assertEquals("jdbc:postgresql://u:***@h/db", JdbcUrls.redact("jdbc:postgresql://u:s3cret@h/db"));
        assertEquals("jdbc:postgresql://h:5432/db", JdbcUrls.redact("jdbc:postgresql://h:5432/db"));
        try (LogStore s = LogStores.postgres("jdbc:postgresql://127.0.0.1:1/db?password=s3cret", "u", "other")) {
            assertFalse(s.toString().contains("s3cret"), s.toString());
            assertFalse(s.toString().contains("other"), s.toString());
        }
    }
}
