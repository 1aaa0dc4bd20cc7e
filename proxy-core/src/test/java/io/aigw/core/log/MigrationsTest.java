package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationsTest {

    @Test
    void everyFileOfEveryDialectIsListedInOrder() throws IOException, URISyntaxException {
        for (SqlDialect d : SqlDialect.values()) {
            Path dir = Path.of(Migrations.class
                    .getResource("/db/migration/" + d.migrationDir)
                    .toURI());
            try (Stream<Path> files = Files.list(dir)) {
                List<String> names = files.map(p -> p.getFileName().toString())
                        .sorted((a, b) -> Integer.compare(Migrations.version(a), Migrations.version(b)))
                        .toList();
                assertEquals(Migrations.FILES, names, d.migrationDir);
            }
        }
        for (int i = 1; i < Migrations.FILES.size(); i++) {
            assertTrue(Migrations.version(Migrations.FILES.get(i - 1)) < Migrations.version(Migrations.FILES.get(i)));
        }
    }

    @Test
    void scriptsSplitIntoStatementsWithoutComments() {
        assertEquals(
                List.of("CREATE TABLE t (a int)", "CREATE INDEX i ON t (a)"),
                Migrations.statements("-- why\nCREATE TABLE t (a int); -- trailing\n\nCREATE INDEX i ON t (a);\n"));
        for (SqlDialect d : SqlDialect.values()) {
            List<String> v1 = Migrations.statements(Migrations.read(d, "V1__request_logs.sql"));
            assertEquals(5, v1.size(), d.migrationDir);
            assertTrue(v1.get(0).startsWith("CREATE TABLE request_logs"));
        }
    }

    @Test
    void versionsComeFromFileNames() {
        assertEquals(1, Migrations.version("V1__request_logs.sql"));
        assertEquals(12, Migrations.version("V12__more.sql"));
    }
}
