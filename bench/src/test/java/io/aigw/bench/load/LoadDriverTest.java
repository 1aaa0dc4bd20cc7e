package io.aigw.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.bench.mock.MockProvider;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every driver mode in-process against the in-process mock provider, for about a second each. */
class LoadDriverTest {

    private static MockProvider mock;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        mock = MockProvider.start(0);
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + mock.port() + path;
    }

    private static String body(String json) throws IOException {
        Path f = Files.createTempFile(dir, "body", ".json");
        Files.writeString(f, json);
        return f.toString();
    }

    private static long num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    @Test
    void rateModeKeepsALowRateWithoutErrors() throws IOException {
        Map<String, Object> m = LoadDriver.run(
                "--url",
                url("/v1/chat/completions"),
                "--body-file",
                body("{\"model\":\"mock\",\"messages\":[]}"),
                "--mode",
                "rate",
                "--rate",
                "200",
                "--duration",
                "1",
                "--warmup",
                "0.2",
                "--connections",
                "8");
        String json = LoadDriver.toJson(m);
        assertTrue(json.startsWith("{\"mode\":\"rate\",\"target_rps\":200,\"achieved_rps\":"), json);
        assertEquals(0, num(m, "errors"), json);
        assertEquals(200, num(m, "requests"), json);
        double achieved = ((Number) m.get("achieved_rps")).doubleValue();
        // Never ahead of the schedule; how far behind it falls is the machine's business (a loaded
        // CI host finishes some answers after the window closes), so no lower bound but "some".
        assertTrue(achieved > 0 && achieved < 220, json);
        assertTrue(
                num(m, "p50_us") > 0 && num(m, "p50_us") <= num(m, "p99_us") && num(m, "p99_us") <= num(m, "max_us"),
                json);
    }

    @Test
    void rateModeOpensConnectionsOnDemandAndCountsQueueingTime() throws IOException {
        // 50 ms per response at 200 rps needs ~10 connections; start with 2.
        Map<String, Object> m = LoadDriver.run(
                "--url",
                url("/v1/chat/completions"),
                "--body-file",
                body("{\"model\":\"mock;latency=50\"}"),
                "--mode",
                "rate",
                "--rate",
                "200",
                "--duration",
                "1",
                "--warmup",
                "0.2",
                "--connections",
                "2",
                "--max-connections",
                "64");
        String json = LoadDriver.toJson(m);
        assertEquals(0, num(m, "errors"), json);
        assertEquals(200, num(m, "requests"), json);
        assertTrue(num(m, "p50_us") >= 50_000, json);
    }

    @Test
    void maxModeRuns() throws IOException {
        Map<String, Object> m = LoadDriver.run(
                "--url",
                url("/v1/chat/completions"),
                "--body-file",
                body("{\"model\":\"mock\"}"),
                "--mode",
                "max",
                "--duration",
                "1",
                "--warmup",
                "0.2",
                "--connections",
                "4");
        String json = LoadDriver.toJson(m);
        assertTrue(((Number) m.get("rps")).doubleValue() > 0, json);
        assertTrue(num(m, "requests") > 0, json);
        assertEquals(0, num(m, "errors"), json);
        // Every response, the warm-up's too: the count the bench divides a whole run's CPU by.
        assertTrue(num(m, "responses_all") > num(m, "requests"), json);
    }

    @Test
    void streamModeVerifiesEveryStream() throws IOException {
        // chunks=5: five content events and the finish event are JSON, then [DONE].
        Map<String, Object> m = LoadDriver.run(
                "--url",
                url("/v1/chat/completions"),
                "--body-file",
                body("{\"model\":\"mock;chunks=5;size=500\",\"stream\":true}"),
                "--mode",
                "stream",
                "--duration",
                "1",
                "--warmup",
                "0.2",
                "--connections",
                "4",
                "--expect-chunks",
                "6");
        String json = LoadDriver.toJson(m);
        assertTrue(num(m, "streams") > 0, json);
        assertTrue(num(m, "responses_all") > num(m, "streams"), "the warm-up's streams too: " + json);
        assertEquals(0, num(m, "bad_streams"), json);
        assertEquals(0, num(m, "errors"), json);
        assertTrue(num(m, "ttfc_p50_us") <= num(m, "total_p50_us"), json);

        Map<String, Object> wrong = LoadDriver.run(
                "--url",
                url("/v1/chat/completions"),
                "--body-file",
                body("{\"model\":\"mock;chunks=5\",\"stream\":true}"),
                "--mode",
                "stream",
                "--duration",
                "0.3",
                "--warmup",
                "0",
                "--connections",
                "2",
                "--expect-chunks",
                "5");
        assertEquals(num(wrong, "streams"), num(wrong, "bad_streams"), LoadDriver.toJson(wrong));
        assertTrue(num(wrong, "streams") > 0);
    }

    @Test
    void holdModeReceivesEveryChunkOfEveryStream() throws IOException {
        // chunks=2 with the finish event makes 3 JSON events per stream: 50 x 3 = 150.
        Map<String, Object> m = LoadDriver.run(
                "--url",
                url("/v1/chat/completions"),
                "--body-file",
                body("{\"model\":\"mock;chunks=2;delay=100\",\"stream\":true}"),
                "--mode",
                "hold",
                "--streams",
                "50",
                "--ramp-per-s",
                "1000",
                "--expect-chunks",
                "3",
                "--timeout",
                "10");
        String json = LoadDriver.toJson(m);
        assertEquals(50, num(m, "opened"), json);
        assertEquals(50, num(m, "completed"), json);
        assertEquals(0, num(m, "failed"), json);
        assertEquals(150, num(m, "chunks_received"), json);
        assertEquals(150, num(m, "chunks_expected"), json);
        assertTrue(num(m, "peak_concurrent") > 1, json);
    }

    @Test
    void non2xxResponsesAreErrorsNotCrashes() throws IOException {
        Map<String, Object> notFound = LoadDriver.run(
                "--url",
                url("/v1/unknown"),
                "--body-file",
                body("{}"),
                "--mode",
                "max",
                "--duration",
                "0.3",
                "--warmup",
                "0",
                "--connections",
                "2");
        String json = LoadDriver.toJson(notFound);
        assertTrue(num(notFound, "errors") > 0, json);
        assertEquals(0, num(notFound, "requests"), json);

        Map<String, Object> serverError = LoadDriver.run(
                "--url",
                url("/v1/chat/completions"),
                "--body-file",
                body("{\"model\":\"mock;status=500\"}"),
                "--mode",
                "rate",
                "--rate",
                "100",
                "--duration",
                "0.3",
                "--warmup",
                "0");
        assertEquals(30, num(serverError, "errors"), LoadDriver.toJson(serverError));
        assertEquals(0, ((Number) serverError.get("achieved_rps")).doubleValue());
    }

    @Test
    void connectionRefusedIsCountedAsErrors() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> m = LoadDriver.run(
                "--url",
                "http://127.0.0.1:" + port + "/v1/chat/completions",
                "--body-file",
                body("{}"),
                "--mode",
                "rate",
                "--rate",
                "50",
                "--duration",
                "0.4",
                "--warmup",
                "0",
                "--connections",
                "2",
                "--drain",
                "2");
        String json = LoadDriver.toJson(m);
        assertEquals(20, num(m, "requests"), json);
        assertEquals(20, num(m, "errors"), json);

        Map<String, Object> hold = LoadDriver.run(
                "--url",
                "http://127.0.0.1:" + port + "/v1/chat/completions",
                "--body-file",
                body("{}"),
                "--mode",
                "hold",
                "--streams",
                "5",
                "--expect-chunks",
                "1",
                "--timeout",
                "5");
        assertEquals(5, num(hold, "failed"), LoadDriver.toJson(hold));
    }
}
