package io.aigw.server.runtime;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.AuthConfig;
import io.aigw.core.config.LimitsConfig;
import io.aigw.core.config.LoggingConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.RequestLogConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What a reloaded config changes against the one in effect, split in two: what a reload applies
 * (models, providers, the file's client and admin keys, the limits' figures when the server has a
 * rate limiter, the request log's bodies and redaction, the access log; see {@link LiveLogSettings})
 * and what only a restart can (the listener, data directory, the request log's store, database
 * keys, metrics, tracing, the log format, the limits' store...), named by key
 * so the operator is told rather than silently ignored.
 *
 * @param effective the reloaded config less its restart-only changes: what the new runtime runs on
 * @param changed the applied changes, coarse ({@code models.gpt-4o}, {@code providers.openai}, {@code auth.api_keys})
 * @param restartRequired the changed settings a reload leaves as they were ({@code server.port})
 */
public record ConfigDiff(ProxyConfig effective, List<String> changed, List<String> restartRequired) {

    public boolean isEmpty() {
        return changed.isEmpty() && restartRequired.isEmpty();
    }

    /** With limits that need a restart (a server without a rate limiter). */
    public static ConfigDiff of(ProxyConfig running, ProxyConfig loaded) {
        return of(running, loaded, false);
    }

    /**
     * {@code running}: the config in effect; {@code loaded}: the file as just read; {@code liveLimits}:
     * the server has a rate limiter that can take new figures (its store and Redis settings still
     * need a restart).
     */
    public static ConfigDiff of(ProxyConfig running, ProxyConfig loaded, boolean liveLimits) {
        List<String> restart = new ArrayList<>();
        components("server", running.server(), loaded.server(), restart);
        if (!running.dataDir().equals(loaded.dataDir())) {
            restart.add("data_dir");
        }
        RequestLogConfig requestLog = LiveLogSettings.requestLog(running.requestLog(), loaded.requestLog(), restart);
        if (running.auth().databaseKeys() != loaded.auth().databaseKeys()) {
            restart.add("keys.store");
        }
        components("metrics", running.metrics(), loaded.metrics(), restart);
        components("tracing", running.tracing(), loaded.tracing(), restart);
        LoggingConfig logging = LiveLogSettings.logging(running.logging(), loaded.logging(), restart);
        LimitsConfig limits = running.limits();
        if (liveLimits) {
            LimitsConfig l = loaded.limits();
            if (l.store() != limits.store()) {
                restart.add("limits.store");
            }
            if (!Objects.equals(l.redis(), limits.redis())) {
                restart.add("limits.redis");
            }
            limits = new LimitsConfig(
                    limits.store(), limits.redis(), l.global(), l.perIp(), l.keyDefaults(), l.defaultMaxTokens());
        } else {
            components("limits", running.limits(), loaded.limits(), restart);
        }
        if (running.maxBufferedBytes() != loaded.maxBufferedBytes()) {
            restart.add("upstream.max_buffered_bytes");
        }
        if (running.configWatch() != loaded.configWatch()) {
            restart.add("config_watch");
        }
        // No client key in the file means the generated one, which only a start makes and shows.
        List<KeyHash> apiKeys = loaded.auth().apiKeyHashes();
        if (apiKeys.isEmpty() && !running.auth().apiKeyHashes().isEmpty()) {
            restart.add("auth.api_keys");
            apiKeys = running.auth().apiKeyHashes();
        }
        ProxyConfig effective = new ProxyConfig(
                running.server(),
                new AuthConfig(
                        apiKeys, loaded.auth().adminKeyHashes(), running.auth().databaseKeys()),
                loaded.providers(),
                loaded.models(),
                running.dataDir(),
                requestLog,
                running.maxBufferedBytes(),
                running.metrics(),
                running.tracing(),
                logging,
                limits,
                running.configWatch());
        List<String> changed = new ArrayList<>();
        keyed("providers", running.providers(), effective.providers(), changed);
        keyed("models", running.models(), effective.models(), changed);
        if (!running.auth().apiKeyHashes().equals(effective.auth().apiKeyHashes())) {
            changed.add("auth.api_keys");
        }
        if (!running.auth().adminKeyHashes().equals(effective.auth().adminKeyHashes())) {
            changed.add("auth.admin_keys");
        }
        if (!running.limits().equals(effective.limits())) {
            changed.add("limits");
        }
        LiveLogSettings.changed(running, effective, changed);
        return new ConfigDiff(effective, List.copyOf(changed), List.copyOf(restart));
    }

    /** {@code section.name} for each entry added, removed or changed (then the order is file order). */
    private static void keyed(String section, Map<String, ?> before, Map<String, ?> after, List<String> out) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            if (!Objects.equals(before.get(name), after.get(name))) {
                out.add(section + "." + name);
            }
        }
    }

    /** {@code section.component} for each component of two records of one type that differs. */
    static void components(String section, Record before, Record after, List<String> out) {
        if (Objects.equals(before, after)) {
            return;
        }
        RecordComponent[] all = before.getClass().getRecordComponents();
        int found = 0;
        for (RecordComponent c : all) {
            if (!Objects.equals(value(c, before), value(c, after))) {
                out.add(section + "." + snake(c.getName()));
                found++;
            }
        }
        if (found == 0) {
            out.add(section); // equal component by component yet unequal: name the block
        }
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    /** {@code ioThreads} as the file spells it: {@code io_threads}. */
    static String snake(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
