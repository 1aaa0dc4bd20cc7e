package io.aigw.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.server.metrics.Scrape;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** What a client sees of the rate limits: the OpenAI-style headers and 429s, and the metrics. */
final class RateLimitAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** OpenAI's (Go's) duration format as its reset headers use it: {@code 1s}, {@code 6m0s}, {@code 120ms}. */
    static final Pattern DURATION = Pattern.compile("(\\d+h)?(\\d+m)?\\d+(\\.\\d+)?s|\\d+(\\.\\d+)?ms");

    static final List<String> SIX = List.of(
            "x-ratelimit-limit-requests",
            "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests",
            "x-ratelimit-limit-tokens",
            "x-ratelimit-remaining-tokens",
            "x-ratelimit-reset-tokens");

    private RateLimitAnswers() {}

    /** The limit, remaining and reset of one unit ({@code requests} or {@code tokens}). */
    record Shown(long limit, long remaining, String reset) {}

    /** Asserts the three headers of {@code unit} are there and well formed; returns them. */
    static Shown shown(HttpResponse<?> r, String unit) {
        HttpHeaders h = r.headers();
        String where = r.statusCode() + " " + h.map();
        long limit = number(h, "x-ratelimit-limit-" + unit, where);
        long remaining = number(h, "x-ratelimit-remaining-" + unit, where);
        String reset = h.firstValue("x-ratelimit-reset-" + unit).orElse(null);
        assertTrue(reset != null && DURATION.matcher(reset).matches(), "reset-" + unit + " " + reset + " in " + where);
        assertTrue(limit > 0 && remaining >= 0 && remaining <= limit, where);
        return new Shown(limit, remaining, reset);
    }

    /** All six {@code x-ratelimit-*} headers, well formed. */
    static void assertSixHeaders(HttpResponse<?> r) {
        shown(r, "requests");
        shown(r, "tokens");
    }

    private static long number(HttpHeaders h, String name, String where) {
        String v = h.firstValue(name).orElse(null);
        assertTrue(v != null && v.matches("\\d+"), name + "=" + v + " in " + where);
        return Long.parseLong(v);
    }

    /**
     * A 429 in OpenAI's shape with {@code code}, and {@code type} unless null; {@code retry-after} in
     * whole seconds (≥ 1) and {@code retry-after-ms}. Returns retry-after-ms.
     */
    static long assertRefused(HttpResponse<String> r, String type, String code) throws Exception {
        assertEquals(429, r.statusCode(), r.body());
        JsonNode error = errorOf(r);
        assertEquals(code, error.get("code").asText(), r.body());
        if (type != null) {
            assertEquals(type, error.get("type").asText(), r.body());
        }
        String after = r.headers().firstValue("retry-after").orElse(null);
        assertTrue(after != null && after.matches("\\d+") && Long.parseLong(after) >= 1, "retry-after " + after);
        String afterMs = r.headers().firstValue("retry-after-ms").orElse(null);
        assertTrue(afterMs != null && afterMs.matches("\\d+"), "retry-after-ms " + afterMs);
        long ms = Long.parseLong(afterMs);
        // Whole seconds rounded up from the milliseconds: a client never retries too early.
        assertTrue(Long.parseLong(after) * 1000 >= ms, "retry-after " + after + " < retry-after-ms " + ms);
        return ms;
    }

    /** OpenAI's error object: exactly message, type, param and code. */
    static JsonNode errorOf(HttpResponse<String> r) throws Exception {
        JsonNode root = JSON.readTree(r.body());
        JsonNode error = root.get("error");
        assertTrue(root.size() == 1 && error != null && error.isObject(), r.body());
        List<String> keys = new ArrayList<>();
        error.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("message", "type", "param", "code"), keys, r.body());
        assertTrue(error.get("message").asText().length() > 0, r.body());
        return error;
    }

    /** The sum of {@code name}'s samples whose labels include every one of {@code labels}. */
    static double metric(Scrape s, String name, Map<String, String> labels) {
        double sum = 0;
        for (Map.Entry<String, Double> e : s.samples().entrySet()) {
            String series = e.getKey();
            if (!(series.equals(name) || series.startsWith(name + "{"))) {
                continue;
            }
            boolean all = true;
            for (Map.Entry<String, String> l : labels.entrySet()) {
                all &= series.contains(l.getKey() + "=\"" + l.getValue() + "\"");
            }
            if (all) {
                sum += e.getValue();
            }
        }
        return sum;
    }
}
