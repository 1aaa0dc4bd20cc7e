package io.aigw.server.runtime;

import io.aigw.core.config.ConfigException;
import io.aigw.core.config.ProxyConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link RuntimeSnapshot} and replaces it on a reload: reads the config file
 * again, validates it whole (the loader's checks, then building every part of the new runtime,
 * TLS contexts included), and only when all of it succeeded swaps the new snapshot in with one
 * volatile write. Reloads run one at a time on a thread of their own, never on an event loop
 * (file I/O, TLS setup); a failed one leaves the running snapshot as it was.
 */
public final class ConfigReloader implements Supplier<RuntimeSnapshot>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** Builds a runtime from a config, carrying over {@code previous}'s state; may throw to refuse it. */
    public interface Builder {
        RuntimeSnapshot build(ProxyConfig config, RuntimeSnapshot previous, long version);
    }

    private final ConfigSource source;
    private final Builder builder;
    /** Told of the snapshot in effect after every attempt (the upstream pools drop what it does not name). */
    private final Consumer<RuntimeSnapshot> settled;

    private final ReloadMetrics metrics;
    /** Whether the limits' figures apply live (the server has a rate limiter). */
    private final boolean liveLimits;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "aigw-config-reload");
        t.setDaemon(true);
        return t;
    });
    private volatile RuntimeSnapshot current;
    /** When {@link #current} was built (the start, or the reload that swapped it in). */
    private volatile Instant loadedAt;
    /** Whether the file watch of {@code config_watch: true} runs (it may have failed to start). */
    private volatile boolean watched;
    /** The last reload attempt, or null before the first; for the admin console's config page. */
    private volatile Attempt last;

    /** One reload attempt as the admin API shows it: when it ended and how it went. */
    public record Attempt(Instant at, ReloadOutcome outcome) {}

    /**
     * @param source the file to read again, or null when the server was given a config without one
     * @param settled told of the snapshot in effect after every attempt, good or not (on the reload thread)
     * @param registry where the reload metrics go, or null when metrics are off
     * @param liveLimits whether {@code limits:} figures apply live (see {@link ConfigDiff#of(ProxyConfig, ProxyConfig, boolean)})
     */
    public ConfigReloader(
            ConfigSource source,
            Builder builder,
            Consumer<RuntimeSnapshot> settled,
            PrometheusRegistry registry,
            boolean liveLimits) {
        this.liveLimits = liveLimits;
        this.source = source;
        this.builder = builder;
        this.settled = settled;
        this.metrics = registry == null ? null : new ReloadMetrics(registry);
    }

    /** Sets the start's runtime (built after this, since its admin endpoint reloads through this). */
    public void start(RuntimeSnapshot initial) {
        this.loadedAt = Instant.now();
        this.current = initial;
    }

    /** When the running snapshot was built; null before {@link #start}. */
    public Instant loadedAt() {
        return loadedAt;
    }

    /** The last reload attempt, or null when there was none yet. */
    public Attempt lastAttempt() {
        return last;
    }

    /** The runtime new exchanges take. */
    @Override
    public RuntimeSnapshot get() {
        return current;
    }

    /** Whether the config file is watched: {@code config_watch: true}, and its watch started. */
    public boolean watched() {
        return watched;
    }

    /** Called once the file watch has started. */
    public void watchStarted() {
        watched = true;
    }

    /** Whether there is a file to reload from. */
    public boolean available() {
        return source != null;
    }

    /** The config file, or null. */
    public ConfigSource source() {
        return source;
    }

    /** Reloads after those already asked for; {@code trigger} names who asked, for the log. */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        if (source == null) {
            return CompletableFuture.completedFuture(
                    ReloadOutcome.failed(current.version(), "the server was not started from a config file"));
        }
        if (current == null) {
            return CompletableFuture.completedFuture(ReloadOutcome.failed(0, "the server is still starting"));
        }
        QueuedReload attempt = new QueuedReload(trigger);
        try {
            thread.execute(attempt);
        } catch (RejectedExecutionException stopped) {
            return CompletableFuture.completedFuture(ReloadOutcome.failed(current.version(), ReloadOutcome.STOPPING));
        }
        return attempt.outcome;
    }

    /** One reload asked for; {@link #close} answers it if it never ran. */
    private final class QueuedReload implements Runnable {
        final String trigger;
        final CompletableFuture<ReloadOutcome> outcome = new CompletableFuture<>();

        QueuedReload(String trigger) {
            this.trigger = trigger;
        }

        @Override
        public void run() {
            try {
                outcome.complete(reloadNow(trigger));
            } catch (RuntimeException | Error e) {
                outcome.completeExceptionally(e);
            }
        }
    }

    private ReloadOutcome reloadNow(String trigger) {
        RuntimeSnapshot running = current;
        ReloadOutcome outcome;
        try {
            outcome = apply(running, source.load());
        } catch (ConfigException e) {
            outcome = refused(running, e.getMessage());
        } catch (RuntimeException e) {
            // Building the runtime failed (a TLS file, a provider the dialects refuse): same as invalid.
            outcome = refused(
                    running,
                    e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        } finally {
            settled.accept(current);
        }
        last = new Attempt(Instant.now(), outcome);
        if (outcome.ok()) {
            if (metrics != null) {
                metrics.succeeded(System.currentTimeMillis());
            }
            log.info("config reload ({}): {}", trigger, outcome.describe());
            if (!outcome.restartRequired().isEmpty()) {
                log.warn(
                        "config reload ({}): these settings changed but only apply after a restart: {}",
                        trigger,
                        String.join(", ", outcome.restartRequired()));
            }
        } else {
            if (metrics != null) {
                metrics.failed();
            }
            log.warn("config reload ({}) refused, the running config stays: {}", trigger, outcome.error());
        }
        return outcome;
    }

    private ReloadOutcome apply(RuntimeSnapshot running, ProxyConfig loaded) {
        ConfigDiff diff = ConfigDiff.of(running.config(), loaded, liveLimits);
        RuntimeSnapshot next = running;
        if (!diff.changed().isEmpty()) {
            next = builder.build(diff.effective(), running, running.version() + 1);
            loadedAt = Instant.now();
            current = next; // the swap: exchanges starting from now on take it
        }
        return new ReloadOutcome(
                diff.changed().isEmpty() ? ReloadOutcome.UNCHANGED : ReloadOutcome.RELOADED,
                next.version(),
                diff.changed(),
                diff.restartRequired(),
                next.config().providers().size(),
                next.config().models().size(),
                null);
    }

    private static ReloadOutcome refused(RuntimeSnapshot running, String message) {
        return ReloadOutcome.failed(
                running.version(), message.replace('\n', ' ').replace('\r', ' '));
    }

    /**
     * Stops the reload thread: reloads still queued are answered as refused (their callers, the
     * file watch among them, wait on the answer), and a reload running is waited for (bounded), so
     * that none builds pools after the server closed them.
     */
    @Override
    public void close() {
        for (Runnable queued : thread.shutdownNow()) {
            if (queued instanceof QueuedReload attempt) {
                attempt.outcome.complete(ReloadOutcome.failed(current.version(), ReloadOutcome.STOPPING));
            }
        }
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("stopping: a config reload did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
