package io.aigw.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The console's fixed file list against the files that exist, and what the pages may contain. */
class AdminUiEndpointTest {
    private static final Path DIR = Path.of("src/main/resources/admin-ui");

    @Test
    void theServedListIsExactlyTheFilesOfTheConsole() throws Exception {
        List<String> present;
        try (Stream<Path> files = Files.walk(DIR)) {
            present = files.filter(Files::isRegularFile)
                    .map(p -> DIR.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
        // A file added to the directory but not to FILES would 404 in the browser; one listed but gone fails at start.
        assertEquals(present, AdminUiEndpoint.FILES.stream().sorted().toList());
        new AdminUiEndpoint(); // every listed file loads from the classpath
    }

    @Test
    void everyImportOfAModuleNamesAServedFile() throws Exception {
        Pattern from = Pattern.compile("from '([^']+)'");
        for (String name : AdminUiEndpoint.FILES) {
            if (!name.endsWith(".js")) {
                continue;
            }
            String js = Files.readString(DIR.resolve(name));
            Path base = Path.of(name).getParent();
            Matcher m = from.matcher(js);
            while (m.find()) {
                String target = (base == null ? Path.of(m.group(1)) : base.resolve(m.group(1)))
                        .normalize()
                        .toString()
                        .replace('\\', '/');
                assertFalse(target.startsWith(".."), name + " imports outside the console: " + m.group(1));
                assertEquals(true, AdminUiEndpoint.FILES.contains(target), name + " imports " + target);
            }
            // Data goes in as text: the pages never parse markup.
            assertFalse(
                    js.contains("innerHTML") || js.contains("outerHTML") || js.contains("insertAdjacentHTML"), name);
            assertFalse(js.contains("eval(") || js.contains("new Function"), name);
            // The key lives in sessionStorage only.
            assertFalse(js.contains("localStorage.set") || js.contains("document.cookie"), name);
        }
    }

    @Test
    void contentTypesAreKnownOrRefused() {
        assertEquals("text/html; charset=utf-8", AdminUiEndpoint.contentType("index.html"));
        assertEquals("text/javascript; charset=utf-8", AdminUiEndpoint.contentType("pages/keys.js"));
        assertEquals("text/css; charset=utf-8", AdminUiEndpoint.contentType("style.css"));
        assertThrows(IllegalArgumentException.class, () -> AdminUiEndpoint.contentType("notes.txt"));
    }
}
