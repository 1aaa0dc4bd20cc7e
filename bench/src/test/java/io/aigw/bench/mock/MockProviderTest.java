package io.aigw.bench.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MockProviderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static MockProvider mock;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        mock = MockProvider.start(0);
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mock.port() + path))
                .timeout(Duration.ofSeconds(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** SSE events as (event name or null, data) pairs, with every JSON data payload checked to parse. */
    private static List<String[]> events(String body) throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String name = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (data != null && data.startsWith("{")) {
                JSON.readTree(data);
            }
            out.add(new String[] {name, data});
        }
        return out;
    }

    @Test
    void chatCompletionJsonHasUsageAndEchoesTheModel() throws Exception {
        HttpResponse<String> r = post(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"model\\\": no\"}], \"model\" : \"gpt-mock;size=40\"}");
        assertEquals(200, r.statusCode());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("chat.completion", n.path("object").asText());
        assertEquals("gpt-mock;size=40", n.path("model").asText());
        assertEquals(40, n.at("/choices/0/message/content").asText().length());
        assertEquals("stop", n.at("/choices/0/finish_reason").asText());
        assertEquals(20, n.at("/usage/total_tokens").asInt());
    }

    @Test
    void legacyCompletionsEmbeddingsAndAnthropicJson() throws Exception {
        JsonNode c = JSON.readTree(
                post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}").body());
        assertEquals("text_completion", c.path("object").asText());
        assertTrue(c.at("/choices/0/text").asText().length() >= 90);

        JsonNode e = JSON.readTree(post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"x\",\"stream\":true}")
                .body());
        assertEquals(3, e.at("/data/0/embedding").size());

        JsonNode a = JSON.readTree(post("/v1/messages", "{\"model\":\"claude-mock\",\"max_tokens\":5}")
                .body());
        assertEquals("message", a.path("type").asText());
        assertEquals("end_turn", a.path("stop_reason").asText());
        assertEquals("text", a.at("/content/0/type").asText());
        // The default size of 100 characters is reported as 25 tokens (a quarter), after 10 prompt tokens.
        assertEquals(10, a.at("/usage/input_tokens").asInt());
        assertEquals(25, a.at("/usage/output_tokens").asInt());
    }

    @Test
    void openAiStreamHasUsageChunkOnlyWithIncludeUsage() throws Exception {
        HttpResponse<String> plain = post("/v1/chat/completions", "{\"model\":\"mock;chunks=4\",\"stream\": true}");
        assertEquals(200, plain.statusCode());
        assertEquals(
                "text/event-stream", plain.headers().firstValue("content-type").orElse(""));
        List<String[]> ev = events(plain.body());
        assertEquals(6, ev.size(), plain.body()); // 4 content chunks, the finish chunk, [DONE]
        assertEquals("[DONE]", ev.get(5)[1]);
        assertEquals(
                "assistant",
                JSON.readTree(ev.get(0)[1]).at("/choices/0/delta/role").asText());
        assertEquals(
                "stop",
                JSON.readTree(ev.get(4)[1]).at("/choices/0/finish_reason").asText());
        assertFalse(plain.body().contains("\"usage\""));

        HttpResponse<String> withUsage = post(
                "/v1/chat/completions",
                "{\"model\":\"mock;chunks=4\",\"stream\":true,\"stream_options\":{\"include_usage\": true}}");
        ev = events(withUsage.body());
        assertEquals(7, ev.size(), withUsage.body());
        JsonNode usage = JSON.readTree(ev.get(5)[1]);
        assertEquals(0, usage.path("choices").size());
        assertEquals(10, usage.at("/usage/prompt_tokens").asInt());
        assertEquals(25, usage.at("/usage/completion_tokens").asInt());
        assertEquals(35, usage.at("/usage/total_tokens").asInt());
        assertTrue(JSON.readTree(ev.get(0)[1]).get("usage").isNull());
        assertEquals("[DONE]", ev.get(6)[1]);

        // "stream": false and include_usage false: neither streams nor reports stream usage.
        HttpResponse<String> off = post(
                "/v1/chat/completions",
                "{\"model\":\"mock\",\"stream\":false,\"stream_options\":{\"include_usage\":false}}");
        assertEquals("chat.completion", JSON.readTree(off.body()).path("object").asText());
    }

    @Test
    void anthropicStreamEmitsTheEventSequenceInOrder() throws Exception {
        HttpResponse<String> r = post("/v1/messages", "{\"model\":\"claude;chunks=3;size=30\",\"stream\":true}");
        assertEquals(200, r.statusCode());
        List<String> names = new ArrayList<>();
        for (String[] e : events(r.body())) {
            names.add(e[0]);
            assertEquals(e[0], JSON.readTree(e[1]).path("type").asText(), "the JSON type equals the event name");
        }
        assertEquals(
                List.of(
                        "message_start",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop"),
                names);
        assertTrue(r.body().contains("\"stop_reason\":\"end_turn\""));
    }

    @Test
    void legacyCompletionStreamAndLatencyAndDelay() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r =
                post("/v1/completions", "{\"model\":\"m;chunks=3;delay=50;latency=50\",\"stream\":true}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        List<String[]> ev = events(r.body());
        assertEquals(5, ev.size());
        assertEquals(
                "text_completion", JSON.readTree(ev.get(0)[1]).path("object").asText());
        assertTrue(ms >= 150, "latency 50 + 2 delays of 50 ms, took " + ms);
    }

    @Test
    void healthUnknownRoutesAndStatusOption() throws Exception {
        HttpResponse<String> h = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mock.port() + "/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, h.statusCode());
        assertEquals(404, post("/v1/nope", "{}").statusCode());
        HttpResponse<String> s = post("/v1/chat/completions", "{\"model\":\"mock;status=503\"}");
        assertEquals(503, s.statusCode());
        assertTrue(JSON.readTree(s.body()).has("error"));
        assertEquals(
                429, post("/v1/messages", "{\"model\":\"mock;status=429\"}").statusCode());
    }

    @Test
    void statsCountRequestsPerModelString() throws Exception {
        for (int i = 0; i < 3; i++) {
            post("/v1/chat/completions", "{\"model\":\"mock;dep=stats-a\"}");
        }
        post("/v1/chat/completions", "{\"model\":\"mock;dep=stats-b\",\"stream\":true}");
        post("/v1/completions", "{\"model\":\"mock;dep=stats-b\",\"prompt\":\"x\"}");
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mock.port() + "/stats"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode n = JSON.readTree(r.body()).path("requests");
        assertEquals(3, n.path("mock;dep=stats-a").asLong(), r.body());
        assertEquals(2, n.path("mock;dep=stats-b").asLong(), "streamed and legacy calls count for the same model");
        assertFalse(n.has("mock;dep=stats-c"));
    }
}
