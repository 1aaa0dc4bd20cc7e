package io.aigw.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.keys.BudgetPeriod;
import io.aigw.core.keys.KeySettings;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /admin/keys} and {@code PATCH /admin/keys/{id}}, checked field by field:
 * each bad field is refused with a 400 naming it in {@code param}. A patch changes only the fields
 * it has; {@code null} clears one (except {@code name}, which a key always has).
 */
final class KeyRequest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> FIELDS = Set.of(
            "name",
            "models",
            "budget_usd",
            "budget_period",
            "expires_at",
            "rpm",
            "tpm",
            "max_parallel",
            "token_quota_daily",
            "token_quota_monthly",
            "metadata");
    private static final int MAX_NAME = 200;
    private static final int MAX_MODELS = 1000;
    private static final int MAX_METADATA_CHARS = 16 * 1024;

    /** A field that is wrong; becomes a 400 with the field as {@code param}. */
    static final class Invalid extends RuntimeException {
        final transient ApiError error;

        Invalid(String param, String message) {
            super(message, null, false, false);
            this.error = ApiError.badRequest("invalid_value", param, message);
        }
    }

    private KeyRequest() {}

    /** The JSON object of a body; an empty body is an empty object when {@code emptyOk}. */
    static ObjectNode object(byte[] body, boolean emptyOk) {
        if (body.length == 0 && emptyOk) {
            return JSON.createObjectNode();
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new Invalid(null, "The body is not valid JSON.");
        }
        if (node == null || node.isMissingNode()) {
            if (emptyOk) {
                return JSON.createObjectNode();
            }
            throw new Invalid(null, "The body must be a JSON object.");
        }
        if (!(node instanceof ObjectNode o)) {
            throw new Invalid(null, "The body must be a JSON object.");
        }
        return o;
    }

    /** The settings of a new key. */
    static KeySettings create(ObjectNode body) {
        knownFieldsOnly(body, FIELDS);
        if (!body.has("name") || body.get("name").isNull()) {
            throw new Invalid("name", "'name' is required.");
        }
        return apply(KeySettings.named("-"), body);
    }

    /** {@code current} with the fields of a patch applied. */
    static KeySettings patch(KeySettings current, ObjectNode body) {
        knownFieldsOnly(body, FIELDS);
        return apply(current, body);
    }

    /** The grace of a rotation, in seconds (0 when absent). */
    static long graceSeconds(ObjectNode body) {
        knownFieldsOnly(body, Set.of("grace_seconds"));
        JsonNode n = body.get("grace_seconds");
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > 30L * 86_400) {
            throw new Invalid("grace_seconds", "'grace_seconds' must be a whole number of seconds from 0 to 2592000.");
        }
        return n.asLong();
    }

    private static void knownFieldsOnly(ObjectNode body, Set<String> known) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new Invalid(safe(f), "Unknown field '" + safe(f) + "'.");
            }
        }
    }

    private static KeySettings apply(KeySettings s, ObjectNode b) {
        String name = b.has("name") ? name(b.get("name")) : s.name();
        List<String> models = b.has("models") ? models(b.get("models")) : s.models();
        Double budget = b.has("budget_usd") ? budget(b.get("budget_usd")) : s.budgetUsd();
        BudgetPeriod period = b.has("budget_period") ? period(b.get("budget_period")) : s.budgetPeriod();
        if (budget == null && b.has("budget_period") && period != null) {
            throw new Invalid("budget_period", "'budget_period' needs 'budget_usd'.");
        }
        if (budget == null) {
            period = null;
        } else if (period == null) {
            period = BudgetPeriod.MONTHLY;
        }
        Instant expires = b.has("expires_at") ? instant(b.get("expires_at")) : s.expiresAt();
        return new KeySettings(
                name,
                models,
                budget,
                period,
                expires,
                b.has("rpm") ? positive(b, "rpm") : s.rpm(),
                b.has("tpm") ? positive(b, "tpm") : s.tpm(),
                b.has("max_parallel") ? positive(b, "max_parallel") : s.maxParallel(),
                b.has("token_quota_daily") ? positive(b, "token_quota_daily") : s.tokenQuotaDaily(),
                b.has("token_quota_monthly") ? positive(b, "token_quota_monthly") : s.tokenQuotaMonthly(),
                b.has("metadata") ? metadata(b.get("metadata")) : s.metadataJson());
    }

    private static String name(JsonNode n) {
        if (n == null || !n.isTextual() || n.asText().isBlank() || n.asText().length() > MAX_NAME) {
            throw new Invalid("name", "'name' must be a string of 1 to " + MAX_NAME + " characters.");
        }
        return n.asText();
    }

    private static List<String> models(JsonNode n) {
        if (n.isNull()) {
            return List.of();
        }
        if (!n.isArray() || n.size() > MAX_MODELS) {
            throw new Invalid("models", "'models' must be an array of model names (at most " + MAX_MODELS + ").");
        }
        List<String> out = new ArrayList<>(n.size());
        for (JsonNode m : n) {
            String s = m.isTextual() ? m.asText() : null;
            if (s == null
                    || s.isEmpty()
                    || s.length() > 256
                    || s.indexOf('*') >= 0 && s.indexOf('*') != s.length() - 1) {
                throw new Invalid(
                        "models",
                        "Each entry of 'models' must be a model name, or a prefix ending in '*' (\"gpt-4o*\").");
            }
            out.add(s);
        }
        return out;
    }

    private static Double budget(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() < 0) {
            throw new Invalid("budget_usd", "'budget_usd' must be a number of US dollars, 0 or more.");
        }
        return n.asDouble();
    }

    private static BudgetPeriod period(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        BudgetPeriod p = n.isTextual() ? BudgetPeriod.parse(n.asText()) : null;
        if (p == null) {
            throw new Invalid("budget_period", "'budget_period' must be one of daily, weekly, monthly, total.");
        }
        return p;
    }

    private static Instant instant(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        try {
            if (n.isTextual()) {
                // Milliseconds: what both databases keep, so an answer and a later read agree.
                return OffsetDateTime.parse(n.asText()).toInstant().truncatedTo(ChronoUnit.MILLIS);
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw new Invalid("expires_at", "'expires_at' must be an RFC 3339 time such as 2027-01-31T00:00:00Z, or null.");
    }

    private static Long positive(ObjectNode b, String field) {
        JsonNode n = b.get(field);
        if (n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 1) {
            throw new Invalid(field, "'" + field + "' must be a positive whole number, or null.");
        }
        return n.asLong();
    }

    private static String metadata(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new Invalid("metadata", "'metadata' must be a JSON object.");
        }
        String text;
        try {
            text = JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new Invalid("metadata", "'metadata' must be a JSON object.");
        }
        if (text.length() > MAX_METADATA_CHARS) {
            throw new Invalid("metadata", "'metadata' is larger than " + MAX_METADATA_CHARS + " characters.");
        }
        return text;
    }

    /** A field name as it may be quoted back: short, printable ASCII. */
    private static String safe(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
