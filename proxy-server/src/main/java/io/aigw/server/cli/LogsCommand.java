package io.aigw.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aigw logs ...}: the request log through {@code GET /admin/logs}. */
@Command(
        name = "logs",
        description = "Read the request log (the GET /admin/logs API).",
        mixinStandardHelpOptions = true,
        subcommands = {LogsCommand.Tail.class, LogsCommand.Query.class})
final class LogsCommand {
    static final String PATH = "/admin/logs";
    /** The API's largest page. */
    static final int MAX_LIMIT = 1000;

    private static final Pattern RELATIVE = Pattern.compile("([0-9]+)([smhd])");

    @Command(name = "query", description = "Rows matching the filters, newest first.", mixinStandardHelpOptions = true)
    static final class Query extends AdminCommand {
        @Option(
                names = "--since",
                paramLabel = "TIME",
                description = "Rows at or after TIME: an ISO-8601 instant, epoch milliseconds, or an age such as"
                        + " 15m, 2h, 1d.")
        String since;

        @Option(names = "--model", paramLabel = "MODEL", description = "Only this requested model.")
        String model;

        @Option(names = "--status", paramLabel = "N", description = "Only this HTTP status.")
        Integer status;

        @Option(
                names = "--key-hash",
                paramLabel = "HASH",
                description = "Only this client key's SHA-256 (64 hex digits).")
        String keyHash;

        @Option(
                names = "--client-api",
                paramLabel = "API",
                description = "Only this client API: openai, anthropic (/v1/messages) or responses.")
        String clientApi;

        @Option(names = "--limit", paramLabel = "N", description = "At most N rows (1 to 1000; default 100).")
        Integer limit;

        Query(CliContext ctx) {
            super(ctx);
        }

        @Override
        int run() throws Exception {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("since", since == null ? null : since(since, Instant.now()));
            q.put("model", model);
            q.put("status", status);
            q.put("key_hash", keyHash);
            q.put("client_api", clientApi);
            q.put("limit", limit);
            AdminClient.Answer a = call("GET", PATH + AdminClient.query(q), null);
            return print(a, () -> {
                List<JsonNode> rows = new ArrayList<>();
                a.json().path("data").forEach(rows::add);
                table(rows).print(ctx.out());
            });
        }
    }

    @Command(
            name = "tail",
            description = "The latest rows, oldest first; with --follow, new rows as they are written (Ctrl-C stops)."
                    + " The CLI's own reads of /admin/logs are left out.",
            mixinStandardHelpOptions = true)
    static final class Tail extends AdminCommand {
        @Option(
                names = {"-f", "--follow"},
                description = "Keep printing new rows.")
        boolean follow;

        @Option(names = "--model", paramLabel = "MODEL", description = "Only this requested model.")
        String model;

        @Option(names = "--status", paramLabel = "N", description = "Only these HTTP statuses (repeat for more).")
        List<Integer> statuses = new ArrayList<>();

        @Option(
                names = {"-n", "--lines"},
                paramLabel = "N",
                description = "How many rows to start with (default 20).")
        int lines = 20;

        @Option(
                names = "--client-api",
                paramLabel = "API",
                description = "Only this client API: openai, anthropic (/v1/messages) or responses.")
        String clientApi;

        @Option(names = "--interval-ms", paramLabel = "MS", description = "How often --follow asks (default 1000).")
        long intervalMs = 1000;

        /** Rows can land a little after their timestamp (the log writes in batches): each poll looks back this far. */
        static final Duration OVERLAP = Duration.ofSeconds(10);

        Tail(CliContext ctx) {
            super(ctx);
        }

        @Override
        int run() throws Exception {
            if (lines < 0 || lines > MAX_LIMIT) {
                throw new CliFailure(AigwCli.USAGE, "--lines: expected 0 to " + MAX_LIMIT);
            }
            if (intervalMs < 50) {
                throw new CliFailure(AigwCli.USAGE, "--interval-ms: expected at least 50");
            }
            List<JsonNode> first = fetch(null);
            List<JsonNode> shown = first.subList(Math.max(0, first.size() - lines), first.size());
            Map<String, Instant> seen = new LinkedHashMap<>();
            Instant latest = null;
            for (JsonNode r : first) {
                seen.put(r.path("log_id").asText(), ts(r));
                latest = max(latest, ts(r));
            }
            emit(shown, true);
            while (follow) {
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    return AigwCli.OK;
                }
                Instant since = latest == null ? null : latest.minus(OVERLAP);
                List<JsonNode> fresh = new ArrayList<>();
                for (JsonNode r : fetch(since)) {
                    if (seen.putIfAbsent(r.path("log_id").asText(), ts(r)) == null) {
                        fresh.add(r);
                        latest = max(latest, ts(r));
                    }
                }
                emit(fresh, false);
                if (latest != null) {
                    Instant forget = latest.minus(OVERLAP.multipliedBy(2));
                    seen.values().removeIf(t -> t == null || t.isBefore(forget));
                }
            }
            return AigwCli.OK;
        }

        /** Matching rows at or after {@code since}, oldest first. */
        private List<JsonNode> fetch(Instant since) throws CliFailure, InterruptedException {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("since", since);
            q.put("model", model);
            q.put("client_api", clientApi);
            // One status is the server's filter; several are filtered here from a full page.
            q.put("status", statuses.size() == 1 ? statuses.get(0) : null);
            // The first page has room for this command's own earlier reads, which are left out below.
            q.put("limit", since == null && statuses.size() <= 1 ? Math.min(MAX_LIMIT, 5 * lines + 50) : MAX_LIMIT);
            AdminClient.Answer a = call("GET", PATH + AdminClient.query(q), null);
            List<JsonNode> rows = new ArrayList<>();
            for (JsonNode r : a.json().path("data")) {
                String endpoint = r.path("endpoint").asText("");
                if (endpoint.startsWith(PATH)) {
                    continue;
                }
                if (statuses.size() > 1
                        && !statuses.contains(r.path("status_code").asInt())) {
                    continue;
                }
                rows.add(r);
            }
            Collections.reverse(rows);
            return rows;
        }

        private boolean headerDone;

        private void emit(List<JsonNode> rows, boolean first) {
            if (options.json) {
                // One row per line, so `aigw logs tail -f --json | jq` works.
                rows.forEach(r -> ctx.out().println(r.toString()));
            } else if (!rows.isEmpty() || (first && !follow)) {
                Table t = table(rows);
                if (headerDone) {
                    t.printRows(ctx.out());
                } else {
                    t.print(ctx.out());
                    headerDone = true;
                }
            }
            ctx.out().flush();
        }
    }

    static Table table(List<JsonNode> rows) {
        Table t =
                new Table("TIME", "STATUS", "ENDPOINT", "MODEL", "PROVIDER", "MS", "TOKENS", "KEY", "REQUEST", "ERROR");
        for (JsonNode r : rows) {
            String in = Table.text(r.get("prompt_tokens"));
            String out = Table.text(r.get("completion_tokens"));
            String keyHash = Table.text(r.get("api_key_hash"));
            t.row(
                    Table.text(r.get("ts")),
                    Table.text(r.get("status_code")),
                    Table.text(r.get("endpoint")),
                    Table.text(r.get("model")),
                    Table.text(r.get("provider")),
                    Table.text(r.get("total_latency_ms")),
                    in == null && out == null ? null : (in == null ? "-" : in) + "/" + (out == null ? "-" : out),
                    keyHash == null ? null : keyHash.substring(0, Math.min(12, keyHash.length())),
                    Table.text(r.get("request_id")),
                    Table.text(r.get("error")));
        }
        return t;
    }

    /**
     * {@code --since} as the API takes it: an instant or epoch milliseconds pass through; an age
     * ({@code 15m}) is counted back from {@code now}.
     */
    static String since(String value, Instant now) throws CliFailure {
        String v = value.trim();
        Duration age = age(v);
        if (age != null) {
            return now.minus(age).toString();
        }
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
            return v;
        }
        try {
            return Instant.parse(v).toString();
        } catch (DateTimeParseException e) {
            throw new CliFailure(
                    AigwCli.USAGE,
                    "--since: expected an ISO-8601 instant (2026-11-23T17:00:00Z), epoch milliseconds or an age (15m, 2h, 1d)");
        }
    }

    /** {@code 90s}, {@code 15m}, {@code 2h}, {@code 30d} as a duration; null for anything else. */
    static Duration age(String v) {
        Matcher m = RELATIVE.matcher(v);
        if (!m.matches() || m.group(1).length() > 9) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static Instant ts(JsonNode r) {
        try {
            return Instant.parse(r.path("ts").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
