package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private static final Redactor EMAIL = only("email");
    private static final Redactor PHONE = only("phone");
    private static final Redactor CARD = only("card");
    private static final Redactor SECRET = only("secret");
    private static final Redactor ALL = Redactor.builtins();

    private static Redactor only(String rule) {
        return Redactor.of(List.of(rule), Map.of());
    }

    /** Each positive is redacted whole, inside a sentence. */
    private static void redacts(Redactor redactor, String rule, String... positives) {
        for (String p : positives) {
            assertEquals("call [REDACTED:" + rule + "] now", redactor.redact("call " + p + " now"), p);
        }
    }

    /** Each negative is left alone, by the one rule and by all of them. */
    private static void leaves(Redactor redactor, String... negatives) {
        for (String n : negatives) {
            assertSame(n, redactor.redact(n), n);
            assertEquals(n, ALL.redact(n), "all rules: " + n);
        }
    }

    @Test
    void theSharedPreCheckNeverSkipsWhatARuleWouldRedact() {
        // Redactor.redact skips every built-in rule when BuiltinRules.noneCanMatch says so; applying
        // the rules one by one, with no shared pre-check, must give the same text every time.
        List<RedactionRule> rules = new java.util.ArrayList<>();
        BuiltinRules.RUN_ORDER.forEach(name -> rules.addAll(BuiltinRules.named(name)));
        String alphabet = "sk-AKIASIzagh_pouxoBbeEarRtTyYnN@:=\"' +()./0123456789";
        java.util.Random random = new java.util.Random(42);
        int skipped = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(48); n > 0; n--) {
                b.append(
                        random.nextInt(4) == 0
                                ? (char) ('0' + random.nextInt(10))
                                : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = b.toString();
            String oneByOne = text;
            for (RedactionRule rule : rules) {
                oneByOne = rule.apply(oneByOne);
            }
            assertEquals(oneByOne, ALL.redact(text), text);
            skipped += BuiltinRules.noneCanMatch(text) ? 1 : 0;
            // The parser-buffer form (JsonRedaction) says the same of the same chars, anywhere in a buffer.
            char[] buffer = ("<>" + text + "@").toCharArray();
            assertEquals(BuiltinRules.noneCanMatch(text), BuiltinRules.noneCanMatch(buffer, 2, text.length()), text);
            assertEquals(ALL.leavesAlone(text), ALL.leavesAlone(buffer, 2, text.length()), text);
        }
        assertTrue(skipped > 1_000, "the sample must exercise the skip too: " + skipped);
        // Each at the edge of one pre-check: two digits in a row at most, a prefix's first two chars.
        for (String dirty : List.of(
                "06 12 34 56 78",
                "+1 (415) 555-2671",
                "4111 1111 1111 1111",
                "a@b.io",
                "sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz01",
                "AKIAIOSFODNN7EXAMPLE",
                "xoxb-1234567890-abcdef",
                "ghp_" + "a1".repeat(18),
                "Bearer qwertyuiopasdfzxcv1",
                "password=hunter22")) {
            assertEquals(false, BuiltinRules.noneCanMatch(dirty), dirty);
            assertTrue(!ALL.redact(dirty).equals(dirty), dirty);
        }
        for (String clean : List.of("", "You are terse.", "Say hello.", "assistant", "chatcmpl-9f2c", "stop", "mock")) {
            assertTrue(BuiltinRules.noneCanMatch(clean), clean);
        }
    }

    @Test
    void email() {
        redacts(
                EMAIL,
                "email",
                "john.doe@example.com",
                "a+tag@sub.example.co.uk",
                "X_Y%z-1@mail-host.io",
                "user@xn--bcher-kva.example");
        assertEquals("<[REDACTED:email]>, ([REDACTED:email]).", EMAIL.redact("<ann@example.org>, (bob@example.net)."));
        assertEquals("mailto:[REDACTED:email]?subject=hi", EMAIL.redact("mailto:x@y.com?subject=hi"));
        leaves(
                EMAIL,
                "@username on twitter",
                "user@localhost",
                "a@b",
                "name@example",
                "version@1.2.3",
                "email me at john dot doe",
                "foo@-bad.com",
                "x@y.c",
                "icon@2x.png",
                "logo@3x.webp");
    }

    @Test
    void phone() {
        redacts(
                PHONE,
                "phone",
                "+1 415 555 2671",
                "+14155552671",
                "+1-415-555-2671",
                "+1 (415) 555-2671",
                "+44 20 7946 0958",
                "+33 1 23 45 67 89",
                "+49 (0)30 123456",
                "+1.415.555.2671",
                "(415) 555-2671",
                "(415)555-2671",
                "415-555-2671",
                "415.555.2671",
                "415 555 2671",
                "1-800-555-0199",
                "020 7946 0958",
                "06 12 34 56 78",
                "030 1234567",
                "(030) 1234567",
                "0171-1234567",
                "030/1234567");
        assertEquals("Tel: [REDACTED:phone].", PHONE.redact("Tel: +44 20 7946 0958."));
        assertEquals("[REDACTED:phone]", PHONE.redact("+33612345678"));
    }

    @Test
    void phoneLeavesNumbersThatAreNotPhones() {
        leaves(
                PHONE,
                // counts, ids, timestamps, years
                "prompt_tokens: 1234567",
                "total 12345678901 tokens",
                "1722950400",
                "1722950400123",
                "in 2024",
                "id 0612345678",
                "4155552671",
                "order #100234567",
                // dates and times
                "2024-08-06",
                "2024-08-06T12:34:56.789Z",
                "2024-08-06 12:30:45",
                "06.08.2024",
                "01/02/2024",
                "06-08-2024",
                "12/25/2024",
                "09:30:00",
                // model names, uuids, versions, addresses
                "gpt-4o-2024-08-06",
                "claude-3-5-sonnet-20241022",
                "gemini-1.5-pro-002",
                "123e4567-e89b-12d3-a456-426614174000",
                "12345678-1234-5678-1234-567812345678",
                "v1.2.3.4",
                "192.168.100.200",
                "10.0.0.1",
                // decimals and amounts
                "3.14159265358979",
                "0.1234567",
                "-0.0123456 0.0456789",
                "+3.14159265",
                "1 000 000",
                "$1,234,567.89",
                "1,234,567",
                // number lists and ranges
                "pages 555-1234",
                "100-2000",
                "0123 4567 8901 2345 6789",
                "+1234567890123456789",
                "001 002 003 004",
                "000 000 000",
                "ISBN 978-0-13-110362-7",
                "v0.12.345 6789",
                "0.5 0.25 0.125",
                "[1, 2, 3, 4, 5, 6, 7, 8]",
                // social security style, not a phone
                "123-45-6789");
    }

    @Test
    void card() {
        redacts(
                CARD,
                "card",
                "4111111111111111",
                "4111 1111 1111 1111",
                "4111-1111-1111-1111",
                "5500 0000 0000 0004",
                "378282246310005",
                "3782 822463 10005",
                "6011111111111117",
                "2223003122003222",
                "4222222222222",
                "6011 1111 1111 1111 110");
        leaves(
                CARD,
                "4111111111111112", // Luhn fails
                "4111 1111 1111 1112",
                "411111111111", // 12 digits
                "41111111111111111111", // 20 digits
                "1722950400000",
                "1722950400000000000", // ms and ns timestamps (start with 1)
                "0000000000000000",
                "3.14159265358979323",
                "41111111-1111-1111-1111-111111111111",
                "chatcmpl-4111111111111111",
                "4111 1111 1111 1111 1111 1111",
                "gpt-4o-2024-08-06");
    }

    @Test
    void secretKeyFormats() {
        redacts(
                SECRET,
                "secret",
                "sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789",
                "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz_0123456789",
                "sk-1234567890abcdefghijABCDEFGHIJ",
                "AKIAIOSFODNN7EXAMPLE",
                "ghp_1234567890abcdefghijABCDEFGHIJklmnop",
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                "AIzaSyA1234567890abcdefghijklmnopqrstuv",
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
                "xoxp-123456789012-abcdefghij",
                // Few digits: the shared pre-check must still let it through to the rules.
                "github_pat_11ABCDEFGabcdefijklmnopqrtuvwyz_ABCDEFGHIJKLMNOPQRTUVWYZ");
        assertEquals(
                "call [REDACTED:secret] now",
                ALL.redact("call github_pat_AbCdEfGiJkLmNoPqRtUvWxYz_ZyXwVuTrQpOnMlKjIiFeDcBa now"));
        leaves(
                SECRET,
                "task-management-system",
                "sk-learn",
                "sk-short1",
                "risk-assessment-framework-2024",
                "sk-only-words-here-no-digits-at-all",
                "AKIA",
                "the AKIAS was",
                "ghp_short",
                "xox-nothing",
                "AIza short");
    }

    @Test
    void secretBearerKeepsTheScheme() {
        assertEquals(
                "Authorization: Bearer [REDACTED:secret]",
                SECRET.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc-DEF_123"));
        assertEquals("bearer [REDACTED:secret]", SECRET.redact("bearer 0123456789abcdefABCDEF"));
        leaves(
                SECRET,
                "send the bearer token in the header",
                "Bearer authentication-mechanisms",
                "Bearer $OPENAI_API_KEY",
                "Bearer abc123");
    }

    @Test
    void secretAssignmentsKeepTheKeyName() {
        assertEquals("api_key=[REDACTED:secret]&x=1", SECRET.redact("api_key=a1b2c3d4e5f6g7h8i9j0&x=1"));
        assertEquals("{\"token\": \"[REDACTED:secret]\"}", SECRET.redact("{\"token\": \"Zx9Yw8Vu7Ts6Rq5Po4\"}"));
        assertEquals(
                "client_secret: [REDACTED:secret]", SECRET.redact("client_secret: 8f14e45fceea167a5a36dedd4bea2543"));
        assertEquals(
                "{\\\"secret\\\":\\\"[REDACTED:secret]\\\"}",
                SECRET.redact("{\\\"secret\\\":\\\"a1b2c3d4e5f6g7h8i9j0\\\"}"));
        assertEquals("password=[REDACTED:secret]&user=bob", SECRET.redact("password=hunter22&user=bob"));
        assertEquals("\"passwd\": \"[REDACTED:secret]\"", SECRET.redact("\"passwd\": \"correcthorse\""));
        assertEquals("PWD:[REDACTED:secret]", SECRET.redact("PWD:Tr0ub4dor!3"));
        // A value ends at white space: the rest of a password with spaces stays (a known limit).
        assertEquals("password: [REDACTED:secret] horse", SECRET.redact("password: correct horse"));
        leaves(
                SECRET,
                "max_tokens=4096",
                "tokens: 1234567890123456789",
                "monkey=a1b2c3d4e5f6g7h8i9j0",
                "key: short1",
                "token: aaaaaaaaaaaaaaaaaaaaaaaa",
                "the key is important",
                "password: hi",
                "password is required");
    }

    @Test
    void rulesDoNotRedactEachOthersMarkers() {
        String text =
                "mail ann@example.com, card 4111 1111 1111 1111, call +1 415 555 2671, key sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz01";
        assertEquals(
                "mail [REDACTED:email], card [REDACTED:card], call [REDACTED:phone], key [REDACTED:secret]",
                ALL.redact(text));
        // An email with digits is an email, not a phone; an assigned key is one secret.
        assertEquals("[REDACTED:email]", ALL.redact("john.4155552671@example.com"));
        assertEquals(
                "OPENAI_API_KEY=[REDACTED:secret]", ALL.redact("OPENAI_API_KEY=sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz01"));
    }

    @Test
    void modelNamesIdsAndUsageAreUntouchedByAllRules() {
        leaves(
                ALL,
                "gpt-4o-2024-08-06",
                "gpt-4o-mini",
                "claude-3-5-sonnet-20241022",
                "chatcmpl-9xYzAbC123dEfGhI",
                "call_4111111111111111",
                "req_01HZX3K4J5M6N7P8Q9R0S1T2",
                "2024-08-06T12:34:56.789Z",
                "\"usage\": {\"prompt_tokens\": 1234567, \"completion_tokens\": 89, \"total_tokens\": 1234656}",
                "temperature 0.7, top_p 0.95, seed 1234567890",
                "",
                "plain text");
    }

    @Test
    void customRulesRunAfterBuiltInsInTheirOrder() {
        Map<String, String> custom = new LinkedHashMap<>();
        custom.put("employee_id", "EMP-\\d{6}");
        custom.put("project", "(?i)project\\s+falcon");
        Redactor r = Redactor.of(List.of("email"), custom);
        assertEquals(List.of("email", "employee_id", "project"), r.ruleNames());
        assertEquals(
                "[REDACTED:employee_id] on [REDACTED:project] mailed [REDACTED:email]",
                r.redact("EMP-123456 on Project Falcon mailed x@example.com"));
        assertEquals("EMP-12345", r.redact("EMP-12345"));
        // An empty match redacts nothing rather than sprinkling markers.
        assertEquals("abc", Redactor.of(List.of(), Map.of("stars", "\\**")).redact("abc"));
        assertEquals(
                "a[REDACTED:stars]c",
                Redactor.of(List.of(), Map.of("stars", "\\*+")).redact("a**c"));
    }

    @Test
    void builtInsRunInTheirOwnOrderWhateverTheConfigSays() {
        Redactor r = Redactor.of(List.of("phone", "card", "email", "secret", "phone"), Map.of());
        assertEquals(List.of("secret", "email", "card", "phone"), r.ruleNames());
        assertEquals("[REDACTED:card]", r.redact("4111 1111 1111 1111"));
    }

    @Test
    void badConfigurationIsRejectedWithTheRuleNamed() {
        String unknown = assertThrows(
                        IllegalArgumentException.class, () -> Redactor.of(List.of("email", "ssn"), Map.of()))
                .getMessage();
        assertTrue(unknown.contains("'ssn'") && unknown.contains("email, phone, card, secret"), unknown);
        String invalid = assertThrows(
                        IllegalArgumentException.class, () -> Redactor.of(List.of(), Map.of("broken", "(unclosed")))
                .getMessage();
        assertTrue(invalid.contains("'broken'"), invalid);
        assertThrows(IllegalArgumentException.class, () -> Redactor.of(List.of(), Map.of("email", "x")));
        assertThrows(IllegalArgumentException.class, () -> Redactor.of(List.of(), Map.of("bad name]", "x")));
        assertThrows(IllegalArgumentException.class, () -> Redactor.of(List.of(), Map.of("empty", "")));
    }

    @Test
    void noRulesRedactNothing() {
        Redactor none = Redactor.of(List.of(), Map.of());
        assertTrue(none.isEmpty());
        String text = "ann@example.com 4111111111111111";
        assertSame(text, none.redact(text));
        assertEquals(null, ALL.redact(null));
    }

    /** Linear time: these would take minutes with a backtracking blow-up (no wall-clock assertion). */
    @Test
    void largeInputsFinish() {
        int size = 1 << 20;
        StringBuilder plain = new StringBuilder(size);
        while (plain.length() < size) {
            plain.append("The quick brown fox jumps over the lazy dog: no personal data here = fine. ");
        }
        String noMatch = plain.toString();
        assertSame(noMatch, ALL.redact(noMatch));

        String letters = "a".repeat(size) + "@"; // an email's local part that never ends
        assertSame(letters, ALL.redact(letters));
        String digits = "4".repeat(size); // a card that never ends
        assertSame(digits, ALL.redact(digits));
        String spaced = "012 34 ".repeat(size / 7); // phone-ish groups forever: too many digits to be one
        assertTrue(ALL.redact(spaced).startsWith("012 34 012 34 012 34 012 34 012 34 012"));
        String keys = "key=".repeat(size / 4);
        assertSame(keys, ALL.redact(keys));

        StringBuilder near = new StringBuilder(size);
        while (near.length() < size) {
            near.append("a@b 415-555 sk-short 4111 1111 1111 +1 2 3 token: abc Bearer x 06 12 gh_ AKIA1 ");
        }
        String nearMisses = near.toString();
        assertSame(nearMisses, ALL.redact(nearMisses));

        StringBuilder many = new StringBuilder(size);
        while (many.length() < size) {
            many.append("ann@example.com +1 415 555 2671 4111111111111111 ");
        }
        String redacted = ALL.redact(many.toString());
        assertTrue(
                redacted.startsWith("[REDACTED:email] [REDACTED:phone] [REDACTED:card] [REDACTED:email]"),
                redacted.substring(0, 100));
    }
}
