package io.aigw.server.runtime;

import io.aigw.core.config.LoggingConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code request_log:} and {@code logging:} part of a {@link ConfigDiff}. What an exchange's
 * capture reads from its own runtime applies live: {@code request_log.bodies},
 * {@code max_body_bytes} and {@code redact} (built-in and custom rules, compiled once per reload),
 * and {@code logging.access_log}; {@code retention_days} is handed to the writer's hourly job. What
 * the writer, its store and logback were built with at start needs a restart: the store and its
 * database, the queue and batching, the spill directory, durability, and {@code logging.format}.
 *
 * <p>With the store off nothing is gathered at all, whatever the rest says: every change to the
 * block then needs a restart (the one that turns the log on).
 */
final class LiveLogSettings {
    /** Components whose name is not the file's key. */
    private static final Map<String, String> FILE_KEYS = Map.of(
            "request_log.redact_rules", "request_log.redact",
            "request_log.custom_redactions", "request_log.redact",
            "request_log.sqlite_path", "request_log.sqlite.path",
            "request_log.retention", "request_log.retention_days",
            "request_log.flush_interval", "request_log.flush_interval_ms",
            "request_log.drain_timeout", "request_log.drain_timeout_ms");

    private LiveLogSettings() {}

    /** The request log config to run on: the running one's restart-only parts, the loaded one's live parts. */
    static RequestLogConfig requestLog(RequestLogConfig running, RequestLogConfig loaded, List<String> restart) {
        if (running.store() == RequestLogConfig.Store.OFF) {
            restartOnly(running, loaded, restart);
            return running;
        }
        RequestLogConfig live = new RequestLogConfig(
                running.store(),
                loaded.bodies(),
                loaded.maxBodyBytes(),
                running.sqlitePath(),
                running.postgres(),
                loaded.retention(),
                loaded.redactRules(),
                loaded.customRedactions(),
                running.queueCapacity(),
                running.batchSize(),
                running.flushInterval(),
                running.spillDir(),
                running.drainTimeout(),
                running.durability());
        // What is left different between the loaded block and the one run on is restart-only.
        restartOnly(live, loaded, restart);
        return live;
    }

    /** The differing components of the block, named as the file spells them (both redaction lists are {@code redact}). */
    private static void restartOnly(RequestLogConfig before, RequestLogConfig after, List<String> restart) {
        List<String> found = new ArrayList<>();
        ConfigDiff.components("request_log", before, after, found);
        for (String name : found) {
            String key = FILE_KEYS.getOrDefault(name, name);
            if (!restart.contains(key)) {
                restart.add(key);
            }
        }
    }

    static LoggingConfig logging(LoggingConfig running, LoggingConfig loaded, List<String> restart) {
        LoggingConfig live = new LoggingConfig(running.format(), loaded.accessLog());
        ConfigDiff.components("logging", live, loaded, restart);
        return live;
    }

    /**
     * The applied changes: {@code request_log.bodies}, {@code request_log.max_body_bytes},
     * {@code request_log.redact}, {@code request_log.retention_days}, {@code logging.access_log}.
     */
    static void changed(ProxyConfig running, ProxyConfig effective, List<String> out) {
        RequestLogConfig before = running.requestLog();
        RequestLogConfig after = effective.requestLog();
        if (before.bodies() != after.bodies()) {
            out.add("request_log.bodies");
        }
        if (before.maxBodyBytes() != after.maxBodyBytes()) {
            out.add("request_log.max_body_bytes");
        }
        // Custom rules run in file order: a reordering alone is a change (Map.equals would not see it).
        if (!before.redactRules().equals(after.redactRules())
                || !List.copyOf(before.customRedactions().entrySet())
                        .equals(List.copyOf(after.customRedactions().entrySet()))) {
            out.add("request_log.redact");
        }
        if (!before.retention().equals(after.retention())) {
            out.add("request_log.retention_days");
        }
        if (running.logging().accessLog() != effective.logging().accessLog()) {
            out.add("logging.access_log");
        }
    }
}
