package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import io.aigw.server.it.RawHttp;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.StreamScript;
import io.aigw.server.testing.TestUpstream;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up as an operator sees it: the real {@code Main} in its own JVM. */
class MainIT {
    @TempDir
    Path dir;

    private Process launch(Path config) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        if (Runtime.version().feature() >= 24) {
            // As scripts/run.sh starts it: Netty's and SQLite's native code allowed without warnings.
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"), "io.aigw.server.Main", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(dir.toFile());
        pb.environment().remove("PROXY_API_KEYS");
        pb.environment().remove("PROXY_PORT");
        pb.environment().remove("PROXY_API_KEY");
        return pb.start();
    }

    private static List<String> lines(java.io.InputStream in) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(line);
            }
        }
        return out;
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private List<String> failingStart(String yaml) throws Exception {
        Process p = launch(write(yaml));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<String> err = lines(p.getErrorStream());
        assertEquals(2, p.exitValue(), String.join("\n", err));
        assertEquals(1, err.size(), "exactly one line: " + err);
        assertTrue(err.get(0).startsWith("aigw: config error: "), err.get(0));
        return err;
    }

    @Test
    void malformedYamlStopsStartWithItsLineNumber() throws Exception {
        String line =
                failingStart("server:\n  port: 8080\nproviders: [unclosed\n").get(0);
        assertTrue(line.contains("line 3") || line.contains("line 4"), line);
    }

    @Test
    void unknownProviderTypeIsNamedByKey() throws Exception {
        String line = failingStart("providers:\n  x: {type: bogus, base_url: \"http://h/v1\"}\nmodels: {}\n")
                .get(0);
        assertTrue(line.contains("providers.x.type"), line);
    }

    @Test
    void modelOnUnknownProviderAndMissingBaseUrlAreNamed() throws Exception {
        assertTrue(failingStart("providers:\n  a: {type: openai}\n").get(0).contains("providers.a.base_url"));
        String line = failingStart("providers:\n  a: {type: openai, base_url: \"http://h/v1\"}\n"
                        + "models:\n  m:\n    providers:\n      nope: {}\n")
                .get(0);
        assertTrue(line.contains("models.m.providers.nope"), line);
    }

    @Test
    void aPortInUseIsOneLineAndExitCode1() throws Exception {
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Process p = launch(
                    write(
                            "server: {host: 127.0.0.1, port: " + taken.getLocalPort() + "}\n"
                                    + "auth: {api_keys: [sk-test-client-key]}\nproviders:\n  a: {type: openai, base_url: \"http://127.0.0.1:9/v1\"}\n"));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            List<String> err = lines(p.getErrorStream());
            assertEquals(1, p.exitValue(), String.join("\n", err));
            assertEquals(1, err.size(), "exactly one line: " + err);
            assertTrue(err.get(0).startsWith("aigw: cannot listen on 127.0.0.1:" + taken.getLocalPort()), err.get(0));
        }
    }

    /** A start that must stop at once: exit 2 and one line on stderr, naming the directory and why. */
    private String unwritableStart(String yaml, String what, String path) throws Exception {
        Process p = launch(write(yaml));
        boolean stopped = p.waitFor(30, TimeUnit.SECONDS);
        if (!stopped) {
            p.destroyForcibly();
        }
        assertTrue(stopped, "stopped at once");
        List<String> err = lines(p.getErrorStream());
        assertEquals(2, p.exitValue(), String.join("\n", err));
        assertEquals(1, err.size(), "exactly one line: " + err);
        String prefix = "aigw: " + what + " " + path + " is not writable: ";
        assertTrue(err.get(0).startsWith(prefix) && err.get(0).length() > prefix.length(), err.get(0));
        return err.get(0);
    }

    private static final String PROVIDERS = "providers:\n  a: {type: openai, base_url: \"http://127.0.0.1:9/v1\"}\n";

    @Test
    void aDataDirectoryThatCannotBeCreatedStopsTheStartWithOneLineAndExitCode2() throws Exception {
        // Tests run as root, for whom no mode bit forbids a write: /proc is a place root cannot create in.
        unwritableStart(
                "server: {host: 127.0.0.1, port: 0}\ndata_dir: /proc/aigw-test-data\n" + PROVIDERS,
                "data directory",
                "/proc/aigw-test-data");
    }

    @Test
    void aDataDirectoryUnderAFileStopsTheStartEvenWithKeysConfigured() throws Exception {
        // With keys configured no key is generated there, but the default request log lives there.
        Files.writeString(dir.resolve("a-file"), "not a directory");
        Path data = dir.resolve("a-file").resolve("data");
        unwritableStart(
                "server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [sk-test-client-key]}\ndata_dir: \"" + data
                        + "\"\n" + PROVIDERS,
                "request log directory",
                data.toString());
    }

    @Test
    void aRequestLogDirectoryThatCannotBeWrittenIsOneLineAndExitCode2() throws Exception {
        Files.writeString(dir.resolve("not-a-dir"), "a file where the log's directory should be");
        unwritableStart(
                "server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [sk-test-client-key]}\n" + PROVIDERS
                        + "request_log: {store: sqlite, sqlite: {path: ./not-a-dir/requests.db}}\n",
                "request log directory",
                dir.resolve("not-a-dir").toString());
    }

    @Test
    void aSpillDirectoryThatCannotBeWrittenIsOneLineAndExitCode2() throws Exception {
        unwritableStart(
                "server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [sk-test-client-key]}\n" + PROVIDERS
                        + "request_log: {store: postgres, postgres: {url: \"jdbc:postgresql://127.0.0.1:9/x\"},"
                        + " spill_dir: /proc/aigw-test-spill}\n",
                "spill directory",
                "/proc/aigw-test-spill");
    }

    @Test
    void aPostgresStoreThatDoesNotAnswerAtStartIsOneWarningAndTheProxyServes() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        Process p =
                launch(write("server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [sk-test-client-key]}\n" + PROVIDERS
                        + "request_log: {store: postgres, postgres: {url: \"jdbc:postgresql://127.0.0.1:" + closed
                        + "/x\"}, spill_dir: ./spill}\n"));
        List<String> warnings = new ArrayList<>();
        boolean listening = false;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (!listening && (line = out.readLine()) != null) {
                listening = line.contains("listening on");
                if (line.contains(" WARN ")) {
                    warnings.add(line);
                }
            }
        } finally {
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops the server");
        }
        assertTrue(listening, "the proxy serves without its database");
        assertEquals(1, warnings.size(), "one warning: " + warnings);
        assertTrue(warnings.get(0).contains("postgres") && warnings.get(0).contains("spill"), warnings.get(0));
    }

    /** Reads the subprocess's output until it says where it listens; returns the port. */
    private static int listeningPort(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern portPattern = Pattern.compile("listening on [^:]+:(\\d+)");
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = portPattern.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the server never said where it listens");
    }

    @Test
    void withJsonFormatEveryLineIsAJsonObjectAndTheAccessLineCarriesItsRequestId() throws Exception {
        Process p = launch(write("server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [sk-test-client-key]}\n"
                + "request_log: {store: off}\nlogging: {format: json, access_log: true}\n" + PROVIDERS));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int port = -1;
            String line;
            while (port < 0 && (line = out.readLine()) != null) {
                com.fasterxml.jackson.databind.JsonNode node = json.readTree(line); // every line parses
                Matcher m = Pattern.compile("listening on [^:]+:(\\d+)")
                        .matcher(node.path("formattedMessage").asText());
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the server said where it listens");
            java.net.http.HttpResponse<String> models = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + port + "/v1/models"))
                                    .header("Authorization", "Bearer sk-test-client-key")
                                    .header("x-request-id", "main-json-1")
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode());
            com.fasterxml.jackson.databind.JsonNode access = null;
            while (access == null && (line = out.readLine()) != null) {
                com.fasterxml.jackson.databind.JsonNode node = json.readTree(line);
                if (node.path("loggerName").asText().equals("aigw.access")) {
                    access = node;
                }
            }
            assertTrue(access != null, "an access line");
            assertEquals("main-json-1", access.path("mdc").path("request_id").asText(), access.toString());
            assertEquals(32, access.path("mdc").path("trace_id").asText().length(), access.toString());
            assertTrue(access.path("formattedMessage").asText().startsWith("GET /v1/models 200 "), access.toString());
            assertFalse(access.toString().contains("sk-test-client-key"), access.toString());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops the server");
        }
    }

    @Test
    void sigtermOnAnIdleServerExitsZero() throws Exception {
        Process p = launch(write("server: {host: 127.0.0.1, port: 0}\nauth: {api_keys: [sk-test-client-key]}\n"
                + "request_log: {store: off}\n"
                + "providers:\n  a: {type: openai, base_url: \"http://127.0.0.1:9/v1\"}\n"));
        try {
            assertTrue(listeningPort(p) > 0);
            p.toHandle().destroy(); // SIGTERM, leaving the output readable (Process.destroy closes it)
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops the server");
            List<String> err = lines(p.getErrorStream());
            assertEquals(0, p.exitValue(), "a stop that drained in time is a success: " + err);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigtermThatHasToCutAStreamExitsThreeAndSaysHowManyWereCut() throws Exception {
        try (TestUpstream up = TestUpstream.start()) {
            StreamScript script = new StreamScript();
            up.enqueue(Reply.stream(script));
            Process p = launch(write("server: {host: 127.0.0.1, port: 0, shutdown_grace_ms: 300}\n"
                    + "auth: {api_keys: [sk-test-client-key]}\nrequest_log: {store: off}\n"
                    + "providers:\n  mock: {type: openai, base_url: \"" + up.baseUrl() + "\"}\n"
                    + "models:\n  m:\n    providers:\n      mock: {}\n"));
            try {
                int port = listeningPort(p);
                try (RawHttp raw = new RawHttp(port)) {
                    raw.post(
                            "/v1/chat/completions",
                            "sk-test-client-key",
                            "{\"model\":\"m\",\"stream\":true,\"messages\":[{}]}".getBytes(StandardCharsets.US_ASCII));
                    script.send("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}");
                    assertEquals(200, raw.readHead());
                    p.toHandle().destroy(); // SIGTERM, leaving the output readable (Process.destroy closes it)
                    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops the server");
                }
                List<String> err = lines(p.getErrorStream());
                assertEquals(3, p.exitValue(), "a stop that cut a stream is not a clean one: " + err);
                assertTrue(
                        err.stream().anyMatch(l -> l.startsWith("aigw: ") && l.contains("1 exchange(s)")),
                        "stderr says how many were cut: " + err);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void withNoKeyConfiguredAKeyIsGeneratedShownOnceAndOnlyItsHashKept() throws Exception {
        Path config = write("server: {host: 127.0.0.1, port: 0}\ndata_dir: ./state\n"
                + "providers:\n  a: {type: openai, base_url: \"http://127.0.0.1:9/v1\"}\n"
                + "models:\n  m:\n    providers:\n      a: {}\n");
        String key = null;
        int port = -1;
        Process p = launch(config);
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Pattern keyPattern = Pattern.compile("(sk-aigw-[A-Za-z0-9_-]{20,})");
            Pattern portPattern = Pattern.compile("listening on [^:]+:(\\d+)");
            String line;
            while (port < 0 && (line = out.readLine()) != null) {
                Matcher k = keyPattern.matcher(line);
                if (k.find()) {
                    key = k.group(1);
                }
                Matcher m = portPattern.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(key != null && port > 0, "key shown and server started");
            Path hashFile = dir.resolve("state").resolve("generated-api-key.sha256");
            String stored = Files.readString(hashFile).trim();
            assertEquals(KeyHash.ofKey(key).hex(), stored);
            assertFalse(stored.contains(key));

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ok = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                            .header("Authorization", "Bearer " + key)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            HttpResponse<String> open = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, open.statusCode(), "the default start is never an open relay");
        } finally {
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops the server");
        }

        Process again = launch(config);
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(again.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains("listening on")) {
                assertFalse(line.contains("sk-aigw-"), "the key is shown only on the start that made it");
            }
        } finally {
            again.destroy();
            again.waitFor(20, TimeUnit.SECONDS);
        }
        assertTrue(new File(dir.toFile(), "state/generated-api-key.sha256").exists());
    }
}
