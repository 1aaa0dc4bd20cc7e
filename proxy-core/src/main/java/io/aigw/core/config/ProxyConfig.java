package io.aigw.core.config;

import io.aigw.core.cost.Price;
import io.aigw.core.routing.FailureClass;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole validated configuration. Built only by {@link ConfigLoader}; every field is already
 * defaulted, environment-substituted and checked, so the rest of the code never re-validates.
 *
 * @param providers by provider name, in file order
 * @param models by public model name (what clients send as {@code model}), in file order; a name
 *     ending in {@code /*} is a wildcard route (see {@link ModelRoute#isWildcard()})
 * @param dataDir where state the proxy creates lives (the generated key hash, the SQLite log, the spill)
 * @param requestLog the {@code request_log:} block
 * @param maxBufferedBytes {@code upstream.max_buffered_bytes}: the response bytes all calls together
 *     may hold in memory (unfinished stream events, plain answers being collected)
 * @param metrics the {@code metrics:} block
 * @param tracing the {@code tracing:} block ({@link TracingConfig#OFF} when absent)
 * @param logging the {@code logging:} block
 * @param limits the {@code limits:} block ({@link LimitsConfig#NONE} when absent)
 * @param configWatch {@code config_watch}: reload the file when it changes (default false)
 */
public record ProxyConfig(
        ServerConfig server,
        AuthConfig auth,
        Map<String, ProviderConfig> providers,
        Map<String, ModelRoute> models,
        Path dataDir,
        RequestLogConfig requestLog,
        long maxBufferedBytes,
        MetricsConfig metrics,
        TracingConfig tracing,
        LoggingConfig logging,
        LimitsConfig limits,
        boolean configWatch) {

    /** How a model's deployments are chosen ({@code strategy}). */
    public enum RouteStrategy {
        /** Lowest priority number first; weight spreads load within one priority. */
        PRIORITY,
        /** The deployment with the lowest observed latency first. */
        LEAST_LATENCY
    }

    /**
     * How a failed upstream attempt is retried ({@code retries}).
     *
     * @param count further attempts after the first (0 = no retry)
     * @param backoff the first wait between attempts, doubled each time
     * @param maxBackoff the longest wait between attempts
     * @param retryAfterCap an upstream {@code Retry-After} longer than this is not waited for
     */
    public record Retries(int count, Duration backoff, Duration maxBackoff, Duration retryAfterCap) {
        public static final Retries DEFAULT =
                new Retries(2, Duration.ofMillis(100), Duration.ofMillis(5_000), Duration.ofMillis(30_000));
    }

    /**
     * The deployments of one public model, lowest priority number first.
     *
     * <p>{@code timeout} bounds the whole request, every attempt and retry wait included
     * ({@code timeout_ms}; by default the longest {@code total_timeout_ms} of its providers).
     * {@code retryOn} lists the failures of an attempt after which another deployment or a retry round
     * may be tried ({@code retry_on}).
     *
     * <p>A wildcard route ({@code "openrouter/*"}) has exactly one deployment whose {@code modelId}
     * is empty: the part of the requested name after the prefix is the provider's model id.
     */
    public record ModelRoute(
            String name,
            List<Deployment> deployments,
            RouteStrategy strategy,
            Retries retries,
            Duration timeout,
            Set<FailureClass> retryOn) {
        /** With the default strategy, retries, and the upstream default total timeout. */
        public ModelRoute(String name, List<Deployment> deployments) {
            this(name, deployments, RouteStrategy.PRIORITY, Retries.DEFAULT, Duration.ofMillis(600_000));
        }

        /** With the default {@code retry_on}. */
        public ModelRoute(
                String name, List<Deployment> deployments, RouteStrategy strategy, Retries retries, Duration timeout) {
            this(name, deployments, strategy, retries, timeout, FailureClass.DEFAULT_RETRY_ON);
        }

        public boolean isWildcard() {
            return name.endsWith("/*");
        }

        /** For a wildcard route, the prefix a requested name must start with (ends with "/"); else the name. */
        public String prefix() {
            return isWildcard() ? name.substring(0, name.length() - 1) : name;
        }
    }

    /**
     * One provider serving one model under the provider's own model id.
     *
     * @param maxTokens the {@code max_tokens} sent to providers that require one (Anthropic) when the
     *     client gave none; 0 means the dialect's default
     * @param price the deployment's own {@code price}, which wins over the shipped price table (how an
     *     Azure deployment named by the operator, or a negotiated price, is billed); null when none
     */
    public record Deployment(String provider, String modelId, int priority, int weight, int maxTokens, Price price) {
        public Deployment(String provider, String modelId, int priority, int weight, int maxTokens) {
            this(provider, modelId, priority, weight, maxTokens, null);
        }

        public Deployment(String provider, String modelId, int priority, int weight) {
            this(provider, modelId, priority, weight, 0);
        }

        /** This deployment serving {@code modelId} (a wildcard route's model, known per request). */
        public Deployment withModelId(String modelId) {
            return new Deployment(provider, modelId, priority, weight, maxTokens, price);
        }
    }
}
