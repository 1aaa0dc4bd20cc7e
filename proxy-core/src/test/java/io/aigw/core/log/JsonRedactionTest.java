package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRedactionTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonRedaction json = new JsonRedaction(Redactor.builtins());

    private static JsonNode tree(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void redactsStringValuesAndKeepsStructure() throws Exception {
        String in = """
                {
                  "model": "gpt-4o-2024-08-06",
                  "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "I am ann@example.com, call +1 415 555 2671"},
                    {"role": "user", "content": [{"type": "text", "text": "card 4111 1111 1111 1111"}]}
                  ],
                  "temperature": 0.7,
                  "max_tokens": 4111111111111111,
                  "stream": false,
                  "stop": null,
                  "metadata": {"ann@example.com": "key sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz01"}
                }
                """;
        String out = json.tryRedact(in.getBytes(StandardCharsets.UTF_8));
        assertEquals(tree("""
                {
                  "model": "gpt-4o-2024-08-06",
                  "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "I am [REDACTED:email], call [REDACTED:phone]"},
                    {"role": "user", "content": [{"type": "text", "text": "card [REDACTED:card]"}]}
                  ],
                  "temperature": 0.7,
                  "max_tokens": 4111111111111111,
                  "stream": false,
                  "stop": null,
                  "metadata": {"ann@example.com": "key [REDACTED:secret]"}
                }
                """), tree(out));
        // Field names are structure, numbers are not strings: both stay as they were.
        assertTrue(out.contains("\"ann@example.com\":"), out);
        assertTrue(out.contains("\"max_tokens\":4111111111111111"), out);
    }

    @Test
    void aCleanBodyIsKeptAsItCameAndADirtyOneIsRewritten() throws Exception {
        byte[] clean =
                "{ \"model\": \"gpt-4o-2024-08-06\",\n  \"max_tokens\": 16, \"messages\": [{\"content\": \"Say hello.\"}] }"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(
                new String(clean, java.nio.charset.StandardCharsets.UTF_8),
                json.tryRedact(clean),
                "nothing to redact: the bytes are not generated again");
        byte[] dirty = "{ \"content\": \"mail bob@example.com\" }".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("{\"content\":\"mail [REDACTED:email]\"}", json.tryRedact(dirty));
        assertEquals(null, json.tryRedact("{\"a\":1} trailing".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(null, json.tryRedact(new byte[] {'"', (byte) 0xC3, '"'}), "bad UTF-8 in a clean-looking string");
    }

    @Test
    void usageIsReadInTheSamePassAsTheRedaction() {
        long[] usage = {-1, -1, -1};
        String answer =
                "{\"id\":\"c1\",\"choices\":[{\"message\":{\"content\":\"hi\"},\"usage\":{\"total_tokens\":999}}],"
                        + "\"usage\":{\"prompt_tokens\":11,\"prompt_tokens_details\":{\"cached_tokens\":3,\"total_tokens\":77},"
                        + "\"completion_tokens\":7.0,\"total_tokens\":18},\"total_tokens\":5}";
        assertEquals(answer, json.tryRedact(answer.getBytes(StandardCharsets.UTF_8), usage));
        assertArrayEquals(new long[] {11, 7, 18}, usage, "only the top-level usage object's own figures count");

        long[] redacted = {-1, -1, -1};
        String dirty = "{\"choices\":[{\"message\":{\"content\":\"mail bob@example.com\"}}],"
                + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6}}";
        String out = json.tryRedact(dirty.getBytes(StandardCharsets.UTF_8), redacted);
        assertTrue(out.contains("[REDACTED:email]"), out);
        assertArrayEquals(new long[] {4, 2, 6}, redacted, "a body that needed redacting still gives its usage");

        long[] none = {-1, 5, -1};
        json.tryRedact(
                "{\"usage\":[1,2],\"x\":{\"usage\":{\"prompt_tokens\":1}}}".getBytes(StandardCharsets.UTF_8), none);
        json.tryRedact("[{\"usage\":{\"prompt_tokens\":1}}]".getBytes(StandardCharsets.UTF_8), none);
        assertArrayEquals(new long[] {-1, 5, -1}, none, "no top-level usage object: the figures stay as they were");
        assertNull(json.tryRedact("{\"usage\":{\"prompt_tokens\":1}}}".getBytes(StandardCharsets.UTF_8), none));
        assertNull(json.tryRedact(
                "{\"a\":\"bob@example.com\",\"usage\":{\"prompt_tokens\":1}} x".getBytes(StandardCharsets.UTF_8),
                none));
        assertArrayEquals(new long[] {-1, 5, -1}, none, "nor from a body that is not one JSON value");
    }

    @Test
    void valuesAreCheckedAsDecodedAndCustomRulesAlwaysRun() {
        // The quick check reads the parser's decoded chars: an escaped @ or digit is still seen.
        assertEquals(
                "{\"x\":\"mail [REDACTED:email]\"}",
                json.tryRedact("{\"x\":\"mail ann\\u0040example.com\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(
                "{\"x\":\"call [REDACTED:phone]\"}",
                json.tryRedact("{\"x\":\"call +1 415 555 \\u0032671\"}".getBytes(StandardCharsets.UTF_8)));
        // A custom rule may match text no built-in pre-check would look at twice.
        JsonRedaction custom =
                new JsonRedaction(Redactor.of(Redactor.BUILTIN, java.util.Map.of("project", "Project [A-Z]+")));
        assertEquals(
                "{\"x\":\"see [REDACTED:project]\"}",
                custom.tryRedact("{\"x\":\"see Project ZEBRA\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void numbersKeepTheirText() {
        String out = json.tryRedact("[1.10, 1e400, -0, 123456789012345678901234567890, 2.50E-3, true, false, null]");
        assertEquals("[1.10,1e400,-0,123456789012345678901234567890,2.50E-3,true,false,null]", out);
    }

    @Test
    void escapesAndUnicodeSurvive() throws Exception {
        String in = "{\"t\":\"line\\nbreak \\\"quoted\\\" \\u00e9t\\u00e9 \\ud83d\\ude00 tab\\t mail x@example.com\"}";
        String out = json.tryRedact(in);
        assertEquals(
                "line\nbreak \"quoted\" été \uD83D\uDE00 tab\t mail [REDACTED:email]",
                tree(out).get("t").asText());
    }

    @Test
    void scalarRootsAndDeepNestingAreJson() throws Exception {
        assertEquals("\"[REDACTED:email]\"", json.tryRedact("\"ann@example.com\""));
        assertEquals("42", json.tryRedact(" 42 "));
        String deep = "[".repeat(500) + "\"ann@example.com\"" + "]".repeat(500);
        String out = json.tryRedact(deep);
        assertNotNull(out);
        assertTrue(out.contains("[REDACTED:email]"));
        assertEquals(500, out.chars().filter(c -> c == '[').count() - 1); // the marker's own bracket aside
    }

    @Test
    void notExactlyOneJsonValueIsNull() {
        assertNull(json.tryRedact("{\"a\": 1"));
        assertNull(json.tryRedact("{\"a\": 1} {\"b\": 2}"));
        assertNull(json.tryRedact("{\"a\": 1} trailing"));
        assertNull(json.tryRedact("not json"));
        assertNull(json.tryRedact("{'single': 'quotes'}"));
        assertNull(json.tryRedact(""));
        assertNull(json.tryRedact("   "));
        assertNull(json.tryRedact(new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'})); // bad UTF-8
    }

    @Test
    void withoutRulesTheJsonIsOnlyCompacted() {
        JsonRedaction none = new JsonRedaction(Redactor.none());
        assertEquals("{\"a\":[1,\"ann@example.com\"]}", none.tryRedact("{ \"a\" : [ 1 , \"ann@example.com\" ] }"));
    }
}
