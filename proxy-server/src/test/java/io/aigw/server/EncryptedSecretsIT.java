package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.secret.MasterKey;
import io.aigw.core.secret.SecretCipher;
import io.aigw.server.testing.RecordedRequest;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code enc:v1:} provider key through the real {@code Main} in its own JVM: decrypted with the
 * master key from the environment and sent upstream as the plaintext, never written to any output;
 * without the key, or with another, start-up stops with one line naming the key path.
 */
class EncryptedSecretsIT {
    private static final String PROVIDER_KEY = "sk-live-encrypted-provider-key-42";
    private static final String CLIENT_KEY = "sk-test-client-key";
    private static final String ADMIN_KEY = "sk-test-admin-key";
    private static final String COMPLETION =
            "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    @TempDir
    Path dir;

    private final String master = MasterKey.generateBase64();

    private Path config(String upstreamUrl) throws Exception {
        String value = SecretCipher.encrypt(MasterKey.ofBase64(master), PROVIDER_KEY);
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, """
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"], admin_keys: ["%s"]}
                providers:
                  mock: {type: openai, base_url: "%s", api_key: "%s"}
                models:
                  m:
                    retries: {count: 0}
                    providers: {mock: {model_id: up}}
                request_log: {store: sqlite, sqlite: {path: "%s"}, flush_interval_ms: 20}
                logging: {access_log: true}
                """.formatted(CLIENT_KEY, ADMIN_KEY, upstreamUrl, value, dir.resolve("log.db")));
        return file;
    }

    private Process launch(Path config, Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        if (Runtime.version().feature() >= 24) {
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"), "io.aigw.server.Main", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        for (String name :
                List.of("PROXY_API_KEYS", "PROXY_PORT", "PROXY_ADMIN_KEYS", MasterKey.ENV, MasterKey.FILE_ENV)) {
            pb.environment().remove(name);
        }
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Every line of {@code in}, collected on a thread of its own until the stream ends. */
    private static List<String> collect(InputStream in) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }

    @Test
    void theServerSendsTheDecryptedKeyUpstreamAndNeverPrintsIt() throws Exception {
        try (TestUpstream upstream = TestUpstream.start()) {
            upstream.setDefault(req -> Reply.json(200, COMPLETION));
            Process p = launch(config(upstream.baseUrl()), Map.of(MasterKey.ENV, master));
            List<String> out = collect(p.getInputStream());
            List<String> err = collect(p.getErrorStream());
            try {
                int port = awaitPort(out, p);
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> chat = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                                .header("Authorization", "Bearer " + CLIENT_KEY)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, chat.statusCode(), chat.body());
                RecordedRequest seen = upstream.takeRequest(Duration.ofSeconds(5));
                assertEquals("Bearer " + PROVIDER_KEY, seen.header("Authorization"));

                // Nor in an admin answer: the providers view and the request log.
                for (String path : List.of("/admin/providers", "/admin/logs")) {
                    String body = http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                            .header("Authorization", "Bearer " + ADMIN_KEY)
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
                    assertFalse(body.contains(PROVIDER_KEY), path + ": " + body);
                    assertFalse(body.contains(master), path);
                }
            } finally {
                p.destroy();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            Thread.sleep(200); // the collectors read to the end
            assertTrue(out.stream().anyMatch(l -> l.contains("/v1/chat/completions")), "the access line: " + out);
            for (String line : concat(out, err)) {
                assertFalse(line.contains(PROVIDER_KEY), line);
                assertFalse(line.contains(master), line);
                assertFalse(line.contains(PROVIDER_KEY.substring(8)), line);
            }
        }
    }

    @Test
    void withoutTheMasterKeyStartUpStopsWithOneLineNamingTheKey() throws Exception {
        Path file = config("http://127.0.0.1:9/v1");
        String line = failingStart(file, Map.of());
        assertEquals(
                "aigw: config error: providers.mock.api_key: encrypted, but no master key"
                        + " (set AIGW_MASTER_KEY or AIGW_MASTER_KEY_FILE)",
                line);
    }

    @Test
    void withAnotherMasterKeyStartUpStopsWithOneLineNamingTheKey() throws Exception {
        Path file = config("http://127.0.0.1:9/v1");
        Path keyFile = dir.resolve("other.key");
        Files.writeString(keyFile, MasterKey.generateBase64() + "\n");
        String line = failingStart(file, Map.of(MasterKey.FILE_ENV, keyFile.toString()));
        assertEquals(
                "aigw: config error: providers.mock.api_key: cannot be decrypted with this master key"
                        + " (another key, or a changed value)",
                line);
        String bad = failingStart(file, Map.of(MasterKey.ENV, "not-a-key"));
        assertEquals("aigw: config error: providers.mock.api_key: encrypted, but AIGW_MASTER_KEY is not base64", bad);
    }

    private String failingStart(Path config, Map<String, String> env) throws Exception {
        Process p = launch(config, env);
        List<String> out = collect(p.getInputStream());
        List<String> err = collect(p.getErrorStream());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        Thread.sleep(200);
        assertEquals(2, p.exitValue(), String.join("\n", concat(out, err)));
        assertEquals(1, err.size(), "exactly one line: " + err);
        for (String line : concat(out, err)) {
            assertFalse(line.contains(PROVIDER_KEY), line);
            assertFalse(line.contains(master), line);
            assertFalse(line.contains("enc:v1:"), "never the value: " + line);
        }
        return err.get(0);
    }

    private static int awaitPort(List<String> out, Process p) throws InterruptedException {
        Pattern port = Pattern.compile("listening on [^:]+:(\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : out) {
                Matcher m = port.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("the server stopped: " + out);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the server never said where it listens: " + out);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
