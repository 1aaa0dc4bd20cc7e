package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin console end to end in headless Chromium: {@code src/test/console/e2e.mjs} (Playwright's
 * {@code playwright-core} driving Debian's {@code /usr/bin/chromium}) against this process's aigw
 * with database keys, a SQLite request log, metrics and a mock OpenAI provider. The script signs in
 * (a wrong key first), reads the overview, finds a request in the log explorer and opens it,
 * creates a key and uses it, revokes it and sees it refused, disables then enables a provider, and
 * on the Config page reloads the file it started from three times (unchanged, a model added, an
 * invalid file refused); a screenshot of each page goes to {@code target/console-screenshots}.
 *
 * <p>Needs chromium, node and {@code npm ci} in src/test/console (scripts/test.sh installs them).
 * Without them it is skipped, except under {@code CI=true}, where it fails saying what is missing.
 */
class AdminConsoleBrowserIT {
    static final Path CONSOLE = Path.of("src/test/console").toAbsolutePath();
    static final Path SCREENSHOTS = Path.of("target/console-screenshots").toAbsolutePath();
    static final List<String> PAGES = List.of(
            "01-sign-in-wrong-key.png",
            "02-overview.png",
            "03-log-explorer.png",
            "04-log-row-open.png",
            "05-key-created.png",
            "06-key-edited.png",
            "07-keys-revoked.png",
            "08-provider-disabled.png",
            "09-providers.png",
            "10-config-reloaded.png",
            "11-config-invalid.png");

    private static final String STREAMED_PROMPT = "tell the console e2e a story";
    static final List<String> STREAM = List.of(
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Once upon \"},\"finish_reason\":null}]}",
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a time\"},\"finish_reason\":\"stop\"}]}",
            "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}");

    @TempDir
    Path dir;

    @Test
    void theConsoleWorksInHeadlessChromium() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("AIGW_CHROMIUM", "/usr/bin/chromium"));
        String missing = !Files.isExecutable(chromium)
                ? chromium + " is missing (apt-get install -y chromium; scripts/test.sh does it)"
                : !Files.isDirectory(CONSOLE.resolve("node_modules/playwright-core"))
                        ? CONSOLE + "/node_modules is missing (npm ci there; scripts/test.sh does it)"
                        : !runs("node", "--version") ? "node is not on the PATH" : null;
        if (missing != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("the admin console's browser test cannot run under CI=true: " + missing);
            }
            assumeTrue(false, missing);
        }
        try (TestUpstream upstream = TestUpstream.start()) {
            upstream.setDefault(r -> r.bodyUtf8().contains("\"stream\":true")
                    ? Reply.sse(STREAM)
                    : Reply.json(200, AdminConsoleApiIT.ANSWER));
            // From a file, as Main starts it, so the Config page can reload it (the script rewrites it).
            Path file = dir.resolve("aigw.yaml");
            Files.writeString(file, yaml(upstream.baseUrl()), StandardCharsets.UTF_8);
            try (ProxyHarness proxy = ProxyHarness.startFile(file)) {
                Files.createDirectories(SCREENSHOTS);
                for (String page : PAGES) {
                    Files.deleteIfExists(SCREENSHOTS.resolve(page));
                }
                int exit = runE2e(proxy, chromium, file);
                assertEquals(0, exit, "e2e.mjs failed; its output is above");
                assertEquals(1, proxy.server().runtime().version(), "one reload applied, the invalid one refused");
            }
        }
        for (String page : PAGES) {
            Path shot = SCREENSHOTS.resolve(page);
            assertTrue(Files.isRegularFile(shot) && Files.size(shot) > 1000, "no screenshot " + shot);
        }
    }

    String yaml(String upstreamUrl) {
        return """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                data_dir: "%s"
                keys: {store: database}
                metrics: {enabled: true}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: sk-provider-secret}
                  spare: {type: openai, base_url: "%s", api_key: sk-provider-spare}
                models:
                  gpt-4o: {retries: {count: 0}, providers: {mock: {model_id: gpt-4o}}}
                  gpt-4o-mini: {retries: {count: 0}, providers: {spare: {model_id: gpt-4o-mini}}}
                request_log:
                  store: sqlite
                  sqlite: {path: "%s"}
                  flush_interval_ms: 20
                  spill_dir: "%s"
                """.formatted(
                        ProxyHarness.KEY,
                        ProxyHarness.ADMIN_KEY,
                        dir,
                        upstreamUrl,
                        upstreamUrl,
                        dir.resolve("requests.db"),
                        dir.resolve("spill"));
    }

    /** Runs the script with a bounded wait, its output relayed line by line. */
    private int runE2e(ProxyHarness proxy, Path chromium, Path configFile) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "e2e.mjs")
                .directory(CONSOLE.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("AIGW_URL", proxy.url(""));
        env.put("AIGW_ADMIN_KEY", ProxyHarness.ADMIN_KEY);
        env.put("AIGW_CLIENT_KEY", ProxyHarness.KEY);
        env.put("AIGW_STREAMED_PROMPT", STREAMED_PROMPT);
        env.put("AIGW_CONFIG_FILE", configFile.toAbsolutePath().toString());
        env.put("SCREENSHOT_DIR", SCREENSHOTS.toString());
        env.put("CHROMIUM", chromium.toString());
        env.put(
                "PROFILE_DIR",
                Files.createDirectories(dir.resolve("chromium-profile")).toString());
        Process p = pb.start();
        Thread relay = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[e2e] " + line);
                }
            } catch (IOException e) {
                System.out.println("[e2e] output lost: " + e);
            }
        });
        relay.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            relay.join(5_000);
            fail("e2e.mjs did not finish within 120 s");
        }
        relay.join(5_000);
        return p.exitValue();
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
