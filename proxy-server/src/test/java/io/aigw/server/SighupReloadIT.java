package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.AigwProcess;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGHUP to a real aigw process ({@code systemctl reload aigw}): the file is read again and
 * the new route applies; the process keeps running (the JVM's own SIGHUP would end it).
 */
class SighupReloadIT {
    private static final String KEY = "sk-sighup-client-key-0123";
    private static final String OK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";

    @TempDir
    Path dir;

    private static String yaml(String a, String b, String provider) {
        return """
                server: {host: 127.0.0.1, port: 0, io_threads: 1}
                auth: {api_keys: ["%s"]}
                data_dir: data
                request_log: {store: "off"}
                providers:
                  a: {type: openai, base_url: "%s", api_key: sk-a}
                  b: {type: openai, base_url: "%s", api_key: sk-b}
                models:
                  m: {providers: {%s: {model_id: x}}}
                """.formatted(KEY, a, b, provider);
    }

    private void write(Path file, String yaml) throws Exception {
        Path tmp = dir.resolve("proxy.yaml.tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String servedBy(HttpClient http, int port) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("x-proxy-provider").orElse("");
    }

    @Test
    void sighupReloadsTheFileAndTheProcessGoesOn() throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        try (TestUpstream a = TestUpstream.start();
                TestUpstream b = TestUpstream.start()) {
            a.setDefault(r -> Reply.json(200, OK));
            b.setDefault(r -> Reply.json(200, OK));
            Path file = dir.resolve("proxy.yaml");
            write(file, yaml(a.baseUrl(), b.baseUrl(), "a"));
            try (AigwProcess aigw = AigwProcess.launch(file, dir)) {
                int port = aigw.awaitPort(60);
                assertEquals("a", servedBy(http, port));

                write(file, yaml(a.baseUrl(), b.baseUrl(), "b"));
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(aigw.pid()))
                        .inheritIO()
                        .start();
                assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -HUP");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (!aigw.output().contains("config reload (SIGHUP)") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(aigw.output().contains("status=reloaded"), aigw.output());
                assertTrue(aigw.isAlive(), "SIGHUP must not stop the process");
                assertEquals("b", servedBy(http, port));
            }
        }
    }
}
