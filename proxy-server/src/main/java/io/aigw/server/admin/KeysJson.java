package io.aigw.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.keys.BudgetPeriod;
import io.aigw.core.keys.ClientKey;
import io.aigw.core.keys.KeySettings;
import io.aigw.core.keys.Spend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The admin API's key objects: {@code {"object":"api_key","id",...}} with every field present (null
 * when absent) and times in RFC 3339 UTC. Never the hash; the key itself only in the one answer
 * that makes it ({@code newKey}).
 */
final class KeysJson {
    private static final JsonFactory JSON = new JsonFactory();

    private KeysJson() {}

    /** The key's period spend to show with it. */
    record PeriodSpend(BudgetPeriod period, LocalDate start, Spend spend) {}

    static byte[] one(ClientKey key, String newKey, PeriodSpend spend) {
        return write(g -> writeKey(g, key, newKey, spend));
    }

    static byte[] list(List<ClientKey> keys, boolean hasMore) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (ClientKey k : keys) {
                writeKey(g, k, null, null);
            }
            g.writeEndArray();
            g.writeBooleanField("has_more", hasMore);
            if (keys.isEmpty()) {
                g.writeNullField("last_id");
            } else {
                g.writeNumberField("last_id", keys.get(keys.size() - 1).id());
            }
            g.writeEndObject();
        });
    }

    private static void writeKey(JsonGenerator g, ClientKey k, String newKey, PeriodSpend spend) throws IOException {
        KeySettings s = k.settings();
        g.writeStartObject();
        g.writeStringField("object", "api_key");
        g.writeNumberField("id", k.id());
        g.writeStringField("name", s.name());
        g.writeStringField("prefix", k.prefix());
        g.writeArrayFieldStart("models");
        for (String m : s.models()) {
            g.writeString(m);
        }
        g.writeEndArray();
        if (s.budgetUsd() == null) {
            g.writeNullField("budget_usd");
        } else {
            g.writeNumberField("budget_usd", s.budgetUsd());
        }
        g.writeStringField(
                "budget_period",
                s.budgetPeriod() == null ? null : s.budgetPeriod().wire());
        time(g, "expires_at", s.expiresAt());
        time(g, "created_at", k.createdAt());
        time(g, "revoked_at", k.revokedAt());
        number(g, "rpm", s.rpm());
        number(g, "tpm", s.tpm());
        number(g, "max_parallel", s.maxParallel());
        number(g, "token_quota_daily", s.tokenQuotaDaily());
        number(g, "token_quota_monthly", s.tokenQuotaMonthly());
        g.writeFieldName("metadata");
        if (s.metadataJson() == null) {
            g.writeNull();
        } else {
            g.writeRawValue(s.metadataJson()); // written by us from a parsed object: valid JSON
        }
        if (newKey != null) {
            g.writeStringField("key", newKey);
        }
        if (spend != null) {
            g.writeObjectFieldStart("spend");
            g.writeStringField("period", spend.period().wire());
            if (spend.period() == BudgetPeriod.TOTAL) {
                g.writeNullField("period_start");
            } else {
                time(g, "period_start", spend.start().atStartOfDay().toInstant(ZoneOffset.UTC));
            }
            g.writeNumberField("usd", spend.spend().usd());
            g.writeNumberField("input_tokens", spend.spend().inputTokens());
            g.writeNumberField("output_tokens", spend.spend().outputTokens());
            g.writeNumberField("requests", spend.spend().requests());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void time(JsonGenerator g, String field, Instant t) throws IOException {
        g.writeStringField(field, t == null ? null : t.toString());
    }

    private static void number(JsonGenerator g, String field, Long n) throws IOException {
        if (n == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, n);
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
