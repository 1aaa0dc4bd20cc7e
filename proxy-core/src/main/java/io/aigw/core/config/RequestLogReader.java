package io.aigw.core.config;

import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.config.RequestLogConfig.Durability;
import io.aigw.core.config.RequestLogConfig.Postgres;
import io.aigw.core.config.RequestLogConfig.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads the {@code request_log:} block into a {@link RequestLogConfig}. */
final class RequestLogReader {
    static final List<String> KEYS = List.of(
            "store",
            "bodies",
            "max_body_bytes",
            "sqlite",
            "postgres",
            "retention_days",
            "redact",
            "queue_capacity",
            "batch_size",
            "flush_interval_ms",
            "spill_dir",
            "drain_timeout_ms",
            "durability");
    static final List<String> SQLITE_KEYS = List.of("path");
    static final List<String> POSTGRES_KEYS = List.of("url", "user", "password");
    static final List<String> CUSTOM_RULE_KEYS = List.of("name", "regex");

    private RequestLogReader() {}

    static RequestLogConfig read(ConfigNode n, Path dataDir) throws ConfigException {
        n.mapping(KEYS);
        RequestLogConfig d = RequestLogConfig.defaults(dataDir);
        Store store = choice(n.child("store"), Store.class, d.store());
        Bodies bodies = choice(n.child("bodies"), Bodies.class, d.bodies());
        int maxBody = n.child("max_body_bytes").integer(d.maxBodyBytes(), 0, 64 * 1024 * 1024);
        ConfigNode sqlite = n.child("sqlite").mapping(SQLITE_KEYS);
        Path sqlitePath = path(sqlite.child("path"), d.sqlitePath());
        ConfigNode pg = n.child("postgres").mapping(POSTGRES_KEYS);
        Postgres postgres = null;
        if (store == Store.POSTGRES || !pg.isAbsent()) {
            String url = pg.child("url")
                    .string("jdbc:postgresql://127.0.0.1:5432/postgres")
                    .trim();
            if (!url.startsWith("jdbc:postgresql:")) {
                throw pg.child("url").error("must start with jdbc:postgresql:");
            }
            postgres = new Postgres(
                    url,
                    pg.child("user").string("postgres"),
                    pg.child("password").secretString(""));
        }
        long days = n.child("retention_days").longInteger(30, 0, 36_500);
        List<String> rules = new ArrayList<>();
        Map<String, String> custom = new LinkedHashMap<>();
        ConfigNode redact = n.child("redact");
        if (redact.isAbsent()) {
            rules.addAll(d.redactRules());
        }
        for (ConfigNode rule : redact.elements()) {
            if (rule.isMapping()) {
                rule.mapping(CUSTOM_RULE_KEYS);
                String name = rule.child("name").requiredString().trim();
                String regex = rule.child("regex").requiredString();
                try {
                    Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw rule.child("regex").error("not a valid regular expression: " + e.getDescription());
                }
                if (name.isEmpty() || custom.containsKey(name) || RequestLogConfig.BUILTIN_RULES.contains(name)) {
                    throw rule.child("name").error("must be a new, non-empty rule name");
                }
                custom.put(name, regex);
            } else {
                String name = rule.string("").trim();
                if (!RequestLogConfig.BUILTIN_RULES.contains(name)) {
                    throw rule.error("unknown rule " + ConfigNode.quote(name) + " (built in: "
                            + String.join(", ", RequestLogConfig.BUILTIN_RULES)
                            + "; a custom rule is {name: ..., regex: ...})");
                }
                if (!rules.contains(name)) {
                    rules.add(name);
                }
            }
        }
        return new RequestLogConfig(
                store,
                bodies,
                maxBody,
                sqlitePath,
                postgres,
                Duration.ofDays(days),
                List.copyOf(rules),
                Collections.unmodifiableMap(custom), // file order: custom rules run in it (Map.copyOf loses it)
                n.child("queue_capacity").integer(d.queueCapacity(), 16, 16 * 1024 * 1024),
                n.child("batch_size").integer(d.batchSize(), 1, 10_000),
                UpstreamReader.millis(
                        n.child("flush_interval_ms"), d.flushInterval().toMillis()),
                path(n.child("spill_dir"), d.spillDir()),
                UpstreamReader.millis(
                        n.child("drain_timeout_ms"), d.drainTimeout().toMillis()),
                choice(n.child("durability"), Durability.class, d.durability()));
    }

    private static <E extends Enum<E>> E choice(ConfigNode n, Class<E> type, E defaultValue) throws ConfigException {
        String s = n.isFalse()
                ? "off"
                : n.string(defaultValue.name().toLowerCase(Locale.ROOT)).trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(s)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw n.error("expected one of " + String.join(", ", names) + ", got " + ConfigNode.quote(s));
    }

    private static Path path(ConfigNode n, Path defaultValue) throws ConfigException {
        return n.isAbsent() ? defaultValue : ConfigLoader.pathOf(n, n.string("").trim());
    }
}
