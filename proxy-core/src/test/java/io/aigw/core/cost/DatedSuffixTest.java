package io.aigw.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written date-suffix rule finds what the regex it replaced found. */
class DatedSuffixTest {
    /** The former rule, kept here as the oracle. */
    private static final Pattern REGEX = Pattern.compile("-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4}|latest)$");

    private static int byRegex(String id) {
        Matcher m = REGEX.matcher(id);
        return m.find() ? m.start() : -1;
    }

    @Test
    void agreesWithTheRegexOnKnownShapes() {
        for (String id : List.of(
                "gpt-4o-2024-08-06",
                "claude-3-5-sonnet-20241022",
                "gpt-4-0613",
                "claude-3-opus-latest",
                "gpt-4o",
                "mock",
                "",
                "-",
                "-0613",
                "-latest",
                "latest",
                "x-2024-08-0",
                "x-2024-0806",
                "x-202408061",
                "x-12345678-1234",
                "x-1234-12-12-1234",
                "x-2024-08-06-latest",
                "gpt-4o-2024-08-06x",
                "a--1234",
                "model-١٢٣٤")) {
            assertEquals(byRegex(id), PriceTable.datedSuffix(id), id);
        }
    }

    @Test
    void agreesWithTheRegexOnRandomIdsOfDigitsAndDashes() {
        Random r = new Random(19);
        char[] alphabet = "0123456789-ax".toCharArray();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            char[] c = new char[r.nextInt(16)];
            for (int j = 0; j < c.length; j++) {
                c[j] = alphabet[r.nextInt(alphabet.length)];
            }
            ids.add(new String(c));
        }
        for (String id : ids) {
            assertEquals(byRegex(id), PriceTable.datedSuffix(id), id);
        }
    }
}
