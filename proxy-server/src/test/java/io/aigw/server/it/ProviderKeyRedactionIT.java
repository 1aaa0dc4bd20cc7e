package io.aigw.server.it;

import static io.aigw.server.it.RequestLogIT.awaitRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider that quotes its key in an error (OpenAI's "Incorrect API key provided: sk-...") must not
 * hand it to the client or the request log: every configured provider secret is replaced in provider
 * error text by a marker, the rest of the message kept.
 */
class ProviderKeyRedactionIT {
    static final String OPENAI_KEY = "sk-live-openai-0123456789abcdef";
    static final String HEADER_SECRET = "hdr-secret-ABCDEFGH";
    static final String ANTHROPIC_KEY = "sk-ant-api03-zyxwvutsrqponm";
    static final String MARKER = "[redacted-provider-key]";
    static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    static final String STREAM_CHAT =
            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    @TempDir
    Path dir;

    private ProxyHarness proxy(TestUpstream openai, TestUpstream anthropic, Path db) throws Exception {
        return ProxyHarness.startYaml("""
                server: {host: 127.0.0.1, port: 0}
                auth: {api_keys: ["%s"]}
                providers:
                  oa:
                    type: openai
                    base_url: "%s"
                    api_key: "%s"
                    headers: {X-Org-Secret: "%s"}
                  claude: {type: anthropic, base_url: "%s", api_key: "%s"}
                models:
                  m:
                    retries: {count: 0}
                    providers: {oa: {}}
                  c:
                    retries: {count: 0}
                    providers: {claude: {model_id: claude-x, max_tokens: 16}}
                request_log:
                  store: sqlite
                  sqlite: {path: "%s"}
                  flush_interval_ms: 20
                  spill_dir: "%s"
                """.formatted(
                        ProxyHarness.KEY,
                        openai.baseUrl(),
                        OPENAI_KEY,
                        HEADER_SECRET,
                        "http://127.0.0.1:" + anthropic.port(),
                        ANTHROPIC_KEY,
                        db,
                        dir.resolve("spill")));
    }

    private static void assertClean(String text) {
        assertFalse(text.contains(OPENAI_KEY), text);
        assertFalse(text.contains(HEADER_SECRET), text);
        assertFalse(text.contains(ANTHROPIC_KEY), text);
    }

    @Test
    void providerErrorsReachNeitherClientNorLogWithAKeyInThem() throws Exception {
        Path db = dir.resolve("requests.db");
        try (TestUpstream openai = TestUpstream.start();
                TestUpstream anthropic = TestUpstream.start();
                ProxyHarness proxy = proxy(openai, anthropic, db)) {
            openai.enqueue(Reply.json(
                    401,
                    "{\"error\":{\"message\":\"Incorrect API key provided: " + OPENAI_KEY
                            + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));
            openai.enqueue(Reply.text(
                    500, "text/plain", "upstream failure: key=" + OPENAI_KEY + " org=" + HEADER_SECRET + " (retry)"));
            openai.enqueue(Reply.json(
                    500,
                    "{\"error\":{\"message\":\"upstream failure: key=" + OPENAI_KEY + " org=" + HEADER_SECRET
                            + "\"}}"));
            anthropic.enqueue(Reply.json(
                    401,
                    "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key "
                            + ANTHROPIC_KEY + "\"}}"));
            openai.enqueue(Reply.sseRaw(List.of(
                    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                            + "\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n",
                    "data: {\"error\":{\"message\":\"key " + OPENAI_KEY
                            + " was revoked\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}\n\n")));

            HttpResponse<String> incorrect = proxy.post("/v1/chat/completions", CHAT.formatted("m"));
            assertEquals(401, incorrect.statusCode());
            assertClean(incorrect.body());
            String message = ErrorShape.json(incorrect.body())
                    .get("error")
                    .get("message")
                    .asText();
            assertTrue(
                    message.startsWith("Incorrect API key provided: " + MARKER + ". You can find your API key"),
                    message);

            HttpResponse<String> plain = proxy.post("/v1/chat/completions", CHAT.formatted("m"));
            assertEquals(500, plain.statusCode());
            assertClean(plain.body());
            HttpResponse<String> partial = proxy.post("/v1/chat/completions", CHAT.formatted("m"));
            assertEquals(500, partial.statusCode());
            assertClean(partial.body());
            assertEquals(
                    "upstream failure: key=" + MARKER + " org=" + MARKER,
                    ErrorShape.json(partial.body()).get("error").get("message").asText(),
                    "an error message built from the provider's text");

            HttpResponse<String> claude = proxy.post("/v1/chat/completions", CHAT.formatted("c"));
            assertEquals(401, claude.statusCode());
            assertClean(claude.body());
            assertTrue(
                    ErrorShape.json(claude.body())
                            .get("error")
                            .get("message")
                            .asText()
                            .contains("invalid x-api-key " + MARKER),
                    claude.body());

            HttpResponse<String> stream = proxy.post("/v1/chat/completions", STREAM_CHAT);
            assertEquals(200, stream.statusCode());
            assertClean(stream.body());
            assertTrue(stream.body().contains("\"content\":\"hi\""), stream.body());
            assertTrue(stream.body().contains("key " + MARKER + " was revoked"), stream.body());

            List<Map<String, Object>> rows = awaitRows(() -> DriverManager.getConnection("jdbc:sqlite:" + db), 5);
            for (Map<String, Object> row : rows) {
                assertClean(row.toString());
            }
            assertTrue(rows.toString().contains("Incorrect API key provided: " + MARKER), rows.toString());
        }
    }
}
