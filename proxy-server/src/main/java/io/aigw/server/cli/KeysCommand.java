package io.aigw.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aigw keys ...}: client keys through {@code /admin/keys}. */
@Command(
        name = "keys",
        description = "Create, list, show, revoke and rotate client keys (the /admin/keys API).",
        mixinStandardHelpOptions = true,
        subcommands = {
            KeysCommand.Create.class,
            KeysCommand.ListKeys.class,
            KeysCommand.Show.class,
            KeysCommand.Revoke.class,
            KeysCommand.Rotate.class
        })
final class KeysCommand {
    static final String PATH = "/admin/keys";

    /** The key object's fields in the order a human reads them (the contract's order). */
    static final List<String> FIELDS = List.of(
            "id",
            "name",
            "prefix",
            "models",
            "budget_usd",
            "budget_period",
            "expires_at",
            "created_at",
            "revoked_at",
            "rpm",
            "tpm",
            "max_parallel",
            "token_quota_daily",
            "token_quota_monthly",
            "metadata");

    @Command(
            name = "create",
            description = "Create a key. The key itself is printed this once; only its hash is kept.",
            mixinStandardHelpOptions = true)
    static final class Create extends AdminCommand {
        @Option(
                names = "--name",
                paramLabel = "NAME",
                required = true,
                description = "A name for humans (an app, a person).")
        String name;

        @Option(
                names = "--model",
                paramLabel = "MODEL",
                description = "A model the key may use: an exact name or a prefix* glob. Repeat for more;"
                        + " none means all.")
        List<String> models = new ArrayList<>();

        @Option(names = "--budget-usd", paramLabel = "USD", description = "Spending cap per budget period.")
        BigDecimal budgetUsd;

        @Option(names = "--budget-period", paramLabel = "PERIOD", description = "daily, weekly, monthly or total.")
        String budgetPeriod;

        @Option(
                names = "--expires-at",
                paramLabel = "TIME",
                description = "ISO-8601 instant, e.g. 2027-01-31T00:00:00Z.")
        String expiresAt;

        @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute.")
        Integer rpm;

        @Option(names = "--tpm", paramLabel = "N", description = "Tokens per minute.")
        Integer tpm;

        @Option(names = "--max-parallel", paramLabel = "N", description = "Requests in flight at once.")
        Integer maxParallel;

        @Option(names = "--token-quota-daily", paramLabel = "N", description = "Tokens per day.")
        Long tokenQuotaDaily;

        @Option(names = "--token-quota-monthly", paramLabel = "N", description = "Tokens per month.")
        Long tokenQuotaMonthly;

        @Option(names = "--metadata", paramLabel = "JSON", description = "Free JSON object kept with the key.")
        String metadata;

        Create(CliContext ctx) {
            super(ctx);
        }

        @Override
        int run() throws Exception {
            ObjectNode body = AdminClient.JSON.createObjectNode();
            body.put("name", name);
            if (!models.isEmpty()) {
                body.putArray("models")
                        .addAll(models.stream().map(body::textNode).toList());
            }
            if (budgetUsd != null) {
                body.put("budget_usd", budgetUsd);
            }
            putIfSet(body, "budget_period", budgetPeriod);
            if (expiresAt != null) {
                body.put("expires_at", instant("--expires-at", expiresAt));
            }
            putIfSet(body, "rpm", rpm);
            putIfSet(body, "tpm", tpm);
            putIfSet(body, "max_parallel", maxParallel);
            putIfSet(body, "token_quota_daily", tokenQuotaDaily);
            putIfSet(body, "token_quota_monthly", tokenQuotaMonthly);
            if (metadata != null) {
                body.set("metadata", metadata(metadata));
            }
            AdminClient.Answer a = call("POST", PATH, body);
            return print(a, () -> {
                PrintStream out = ctx.out();
                out.println("Created key " + a.json().path("id").asText() + " ("
                        + a.json().path("name").asText() + ").");
                showOnce(out, a.json());
                details(out, a.json());
            });
        }
    }

    @Command(name = "list", description = "List keys, newest first.", mixinStandardHelpOptions = true)
    static final class ListKeys extends AdminCommand {
        @Option(names = "--name", paramLabel = "TEXT", description = "Only keys whose name matches.")
        String name;

        @Option(names = "--limit", paramLabel = "N", description = "At most N keys (the server's default otherwise).")
        Integer limit;

        @Option(
                names = "--after",
                paramLabel = "ID",
                description = "The page after this id (as printed by a previous page).")
        String after;

        ListKeys(CliContext ctx) {
            super(ctx);
        }

        @Override
        int run() throws Exception {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("name", name);
            q.put("limit", limit);
            q.put("after", after);
            AdminClient.Answer a = call("GET", PATH + AdminClient.query(q), null);
            return print(a, () -> {
                Table t = new Table("ID", "NAME", "PREFIX", "MODELS", "BUDGET", "EXPIRES", "STATUS");
                for (JsonNode k : a.json().path("data")) {
                    t.row(
                            Table.text(k.get("id")),
                            Table.text(k.get("name")),
                            prefix(k),
                            models(k),
                            budget(k),
                            Table.text(k.get("expires_at")),
                            status(k, Instant.now()));
                }
                t.print(ctx.out());
                if (a.json().path("has_more").asBoolean(false)) {
                    ctx.out()
                            .println(
                                    "(more: --after " + a.json().path("last_id").asText() + ")");
                }
            });
        }
    }

    @Command(
            name = "show",
            description = "One key with its spend in the current period.",
            mixinStandardHelpOptions = true)
    static final class Show extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        Show(CliContext ctx) {
            super(ctx);
        }

        @Override
        int run() throws Exception {
            AdminClient.Answer a = call("GET", PATH + "/" + AdminClient.encode(id), null);
            return print(a, () -> {
                details(ctx.out(), a.json());
                JsonNode spend = a.json().path("spend");
                if (spend.isObject()) {
                    ctx.out()
                            .printf(
                                    "%-20s %s USD in the %s period from %s; %s input / %s output tokens, %s requests%n",
                                    "spend",
                                    orDash(spend.get("usd")),
                                    orDash(spend.get("period")),
                                    orDash(spend.get("period_start")),
                                    orDash(spend.get("input_tokens")),
                                    orDash(spend.get("output_tokens")),
                                    orDash(spend.get("requests")));
                }
            });
        }
    }

    @Command(
            name = "revoke",
            description = "Revoke a key at once (it stays, for the log).",
            mixinStandardHelpOptions = true)
    static final class Revoke extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        Revoke(CliContext ctx) {
            super(ctx);
        }

        @Override
        int run() throws Exception {
            AdminClient.Answer a = call("DELETE", PATH + "/" + AdminClient.encode(id), null);
            return print(
                    a,
                    () -> ctx.out()
                            .println("Revoked key " + a.json().path("id").asText() + " ("
                                    + a.json().path("name").asText() + ") at "
                                    + orDash(a.json().get("revoked_at")) + "."));
        }
    }

    @Command(
            name = "rotate",
            description = "A new secret for the key, same id and settings. The new key is printed this once.",
            mixinStandardHelpOptions = true)
    static final class Rotate extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = "--grace-seconds",
                paramLabel = "N",
                description = "How long the old secret keeps working (default: it stops at once).")
        Integer graceSeconds;

        Rotate(CliContext ctx) {
            super(ctx);
        }

        @Override
        int run() throws Exception {
            ObjectNode body = AdminClient.JSON.createObjectNode();
            putIfSet(body, "grace_seconds", graceSeconds);
            AdminClient.Answer a = call("POST", PATH + "/" + AdminClient.encode(id) + "/rotate", body);
            return print(a, () -> {
                PrintStream out = ctx.out();
                out.println("Rotated key " + a.json().path("id").asText() + " ("
                        + a.json().path("name").asText()
                        + "). The old secret "
                        + (graceSeconds == null || graceSeconds == 0
                                ? "no longer works."
                                : "keeps working for " + graceSeconds + " s."));
                showOnce(out, a.json());
            });
        }
    }

    /** The new key, set apart so it cannot be missed, with the warning that it will not be shown again. */
    static void showOnce(PrintStream out, JsonNode key) {
        out.println();
        out.println("  The key is shown only this once. Store it now:");
        out.println();
        out.println("      " + key.path("key").asText());
        out.println();
    }

    static void details(PrintStream out, JsonNode key) {
        for (String f : FIELDS) {
            String v = f.equals("models") ? models(key) : Table.text(key.get(f));
            out.printf("%-20s %s%n", f, v == null ? "-" : v);
        }
    }

    static String prefix(JsonNode k) {
        String p = Table.text(k.get("prefix"));
        return p == null ? null : p + "...";
    }

    static String models(JsonNode k) {
        JsonNode m = k.get("models");
        if (m == null || !m.isArray() || m.isEmpty()) {
            return "(all)";
        }
        List<String> names = new ArrayList<>();
        m.forEach(n -> names.add(n.asText()));
        return String.join(",", names);
    }

    static String budget(JsonNode k) {
        String usd = Table.text(k.get("budget_usd"));
        if (usd == null) {
            return null;
        }
        String period = Table.text(k.get("budget_period"));
        return usd + " USD" + (period == null ? "" : "/" + period);
    }

    /** revoked, expired or active, as of {@code now} (a revocation in the future is a rotation's grace). */
    static String status(JsonNode k, Instant now) {
        Instant revoked = time(k.get("revoked_at"));
        if (revoked != null) {
            return revoked.isAfter(now) ? "revokes " + revoked : "revoked";
        }
        Instant expires = time(k.get("expires_at"));
        return expires != null && !expires.isAfter(now) ? "expired" : "active";
    }

    private static Instant time(JsonNode n) {
        String s = Table.text(n);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String orDash(JsonNode n) {
        String s = Table.text(n);
        return s == null ? "-" : s;
    }

    private static void putIfSet(ObjectNode body, String field, Object value) {
        if (value instanceof String s) {
            body.put(field, s);
        } else if (value instanceof Integer i) {
            body.put(field, i);
        } else if (value instanceof Long l) {
            body.put(field, l);
        }
    }

    /**
     * An ISO-8601 instant, or a time from now such as {@code 30d} or {@code 12h}; checked here so a
     * typo is a usage error rather than a round trip.
     */
    static String instant(String option, String value) throws CliFailure {
        String v = value.trim();
        java.time.Duration ahead = LogsCommand.age(v);
        if (ahead != null) {
            return Instant.now()
                    .plus(ahead)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .toString();
        }
        try {
            return Instant.parse(v).toString();
        } catch (DateTimeParseException e) {
            throw new CliFailure(
                    AigwCli.USAGE,
                    option
                            + ": expected an ISO-8601 instant such as 2027-01-31T00:00:00Z, or a time from now such as 30d");
        }
    }

    static JsonNode metadata(String json) throws CliFailure {
        try {
            JsonNode n = AdminClient.JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw new CliFailure(AigwCli.USAGE, "--metadata: expected a JSON object, e.g. '{\"team\":\"search\"}'");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new CliFailure(AigwCli.USAGE, "--metadata: not valid JSON");
        }
    }
}
