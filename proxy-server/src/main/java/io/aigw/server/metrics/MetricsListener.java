package io.aigw.server.metrics;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.config.ProxyConfig.ModelRoute;
import io.aigw.core.exchange.Usage;
import io.aigw.core.routing.FailureClass;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.http.Exchange;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns each exchange into Prometheus samples: the plan's {@code requests_total},
 * {@code request_latency_seconds} and {@code token_usage_total}, the OpenTelemetry GenAI histograms,
 * and the gateway's own attempt, failover and overhead figures.
 *
 * <p>Runs on the event loops. Every label child is resolved once into an array indexed by endpoint,
 * provider, deployment and status (see {@link LazyChildren}); after warm-up an update is a few
 * array reads and adder increments: no lock, no allocation. Label values come from the config
 * (route names, wildcard patterns, provider names, configured model ids), never from a request.
 */
public final class MetricsListener implements ExchangeListener {
    static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
    static final double[] OVERHEAD_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1
    };
    /** The GenAI semantic conventions' advised buckets. */
    static final double[] GEN_AI_DURATION_BUCKETS = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
    };

    static final double[] GEN_AI_TTFT_BUCKETS = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
    };
    static final double[] GEN_AI_TOKEN_BUCKETS = {
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
    };
    private static final double NANOS = 1e9;
    private static final int STATUSES = 600;
    private static final FailureClass[] FAILURES = FailureClass.values();
    /** answered, cancelled, gateway_error, then one per {@link FailureClass}. */
    private static final int OUTCOMES = 3 + FAILURES.length;

    private static final int OPERATIONS = 3;

    private final String metricsPath;
    private final LongAdder requestsInFlight = new LongAdder();
    private final LongAdder streamsInFlight = new LongAdder();

    // The metric families, registered once; the label children over them come from the config.
    private final Counter requestsTotal;
    private final LeanHistogram latencyHistogram;
    private final Counter tokenTotal;
    private final Counter costTotal;
    private final Counter attemptsTotal;
    private final Counter failoversTotal;
    private final Counter retriesTotal;
    private final LeanHistogram overheadHistogram;
    private final LeanHistogram duration;
    private final LeanHistogram ttft;
    private final LeanHistogram tokenUsage;

    /**
     * The label children of the config in effect: a reload that adds providers or models replaces
     * them (the families stay, so every series already counted goes on). An event reads it once.
     */
    private volatile Labels labels;

    /** The labels of one configured deployment ({@code route@provider}). */
    private record DeploymentLabels(String providerName, String genAiProvider, String route, String responseModel) {}

    public MetricsListener(ProxyConfig config, PrometheusRegistry registry) {
        this.metricsPath = config.metrics().path();
        requestsTotal = Counter.builder()
                .name("requests_total")
                .help("Requests answered, by endpoint, provider of the last attempt (none without one) and status sent")
                .labelNames("endpoint", "provider", "status_code")
                .withoutExemplars()
                .register(registry);
        latencyHistogram = LeanHistogram.register(
                registry,
                "request_latency_seconds",
                "Time from the request read whole to its answer's last byte, by endpoint and provider",
                LATENCY_BUCKETS,
                "endpoint",
                "provider");
        tokenTotal = Counter.builder()
                .name("token_usage_total")
                .help("Tokens the providers reported, by provider and direction (input, output)")
                .labelNames("provider", "direction")
                .withoutExemplars()
                .register(registry);
        costTotal = Counter.builder()
                .name("aigw_cost_usd_total")
                .help("USD the answered requests cost by their usage and the answering deployment's price, by provider"
                        + " and model (the configured route); requests of unknown price add nothing")
                .labelNames("provider", "model")
                .withoutExemplars()
                .register(registry);
        attemptsTotal = Counter.builder()
                .name("aigw_upstream_attempts_total")
                .help(
                        "Upstream attempts by provider and outcome (answered, cancelled, gateway_error, or the failure class)")
                .labelNames("provider", "outcome")
                .withoutExemplars()
                .register(registry);
        failoversTotal = Counter.builder()
                .name("aigw_failovers_total")
                .help("Attempts that moved to another deployment, by the provider left")
                .labelNames("provider")
                .withoutExemplars()
                .register(registry);
        retriesTotal = Counter.builder()
                .name("aigw_retries_total")
                .help("Attempts that tried the same deployment again, by provider")
                .labelNames("provider")
                .withoutExemplars()
                .register(registry);
        overheadHistogram = LeanHistogram.register(
                registry,
                "aigw_overhead_seconds",
                "Time an exchange spent in aigw: its whole time minus its upstream attempts' time",
                OVERHEAD_BUCKETS,
                "endpoint");
        String[] genAiLabels = {
            "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model"
        };
        duration = LeanHistogram.register(
                registry,
                "gen_ai_server_request_duration_seconds",
                "GenAI request duration (OpenTelemetry gen_ai.server.request.duration)",
                GEN_AI_DURATION_BUCKETS,
                genAiLabels);
        ttft = LeanHistogram.register(
                registry,
                "gen_ai_server_time_to_first_token_seconds",
                "Time to the first streamed event (OpenTelemetry gen_ai.server.time_to_first_token)",
                GEN_AI_TTFT_BUCKETS,
                genAiLabels);
        tokenUsage = LeanHistogram.register(
                registry,
                "gen_ai_client_token_usage",
                "Tokens per request (OpenTelemetry gen_ai.client.token.usage)",
                GEN_AI_TOKEN_BUCKETS,
                "gen_ai_operation_name",
                "gen_ai_provider_name",
                "gen_ai_request_model",
                "gen_ai_response_model",
                "gen_ai_token_type");
        labels = new Labels(config);
        GaugeWithCallback.builder()
                .name("aigw_requests_in_flight")
                .help("Exchanges started and not yet completed")
                .callback(cb -> cb.call(requestsInFlight.sum()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("aigw_streams_in_flight")
                .help("Streamed answers whose first event was sent and whose end was not")
                .callback(cb -> cb.call(streamsInFlight.sum()))
                .register(registry);
    }

    /**
     * Labels for a reloaded config's providers and models, from the next event on (an exchange of
     * a provider no longer configured counts under {@code none}). Series already counted stay.
     */
    public void reconfigure(ProxyConfig config) {
        Labels now = labels;
        if (!now.providers.equals(config.providers().keySet()) || !now.models.equals(config.models())) {
            labels = new Labels(config);
        }
    }

    /** Providers, deployments and each metric's children over them, by dense index. */
    private final class Labels {
        final Set<String> providers;
        final Map<String, ModelRoute> models;
        final String[] providerNames;
        final Map<String, Integer> providerIndex = new HashMap<>();
        final Map<String, Integer> deploymentIndex = new HashMap<>();
        final DeploymentLabels[] deployments;
        final LazyChildren<CounterDataPoint> requests;
        final LazyChildren<LeanHistogram.Child> latency;
        final LazyChildren<CounterDataPoint> tokens;
        /** By deployment: the provider and the route (model) it serves. */
        final LazyChildren<CounterDataPoint> cost;

        final LazyChildren<CounterDataPoint> attempts;
        final LazyChildren<CounterDataPoint> failovers;
        final LazyChildren<CounterDataPoint> retries;
        final LazyChildren<LeanHistogram.Child> overhead;
        final LazyChildren<LeanHistogram.Child> genAiDuration;
        final LazyChildren<LeanHistogram.Child> genAiTtft;
        final LazyChildren<LeanHistogram.Child> genAiTokens;

        Labels(ProxyConfig config) {
            this.providers = Set.copyOf(config.providers().keySet());
            this.models = Map.copyOf(config.models());
            List<String> names = List.copyOf(config.providers().keySet());
            this.providerNames = new String[names.size() + 1];
            for (int i = 0; i < names.size(); i++) {
                providerNames[i] = names.get(i);
                providerIndex.put(names.get(i), i);
            }
            providerNames[names.size()] = "none";
            int p = providerNames.length;
            List<DeploymentLabels> found = new ArrayList<>();
            for (ModelRoute route : config.models().values()) {
                for (Deployment d : route.deployments()) {
                    ProviderConfig provider = config.providers().get(d.provider());
                    String type = provider == null ? "unknown" : provider.type();
                    // A wildcard route's model ids come from requests: its pattern is the bounded label.
                    String responseModel = route.isWildcard() || d.modelId().isEmpty() ? route.name() : d.modelId();
                    deploymentIndex.put(route.name() + "@" + d.provider(), found.size());
                    found.add(new DeploymentLabels(d.provider(), genAiProvider(type), route.name(), responseModel));
                }
            }
            this.deployments = found.toArray(new DeploymentLabels[0]);
            int e = EndpointLabel.ALL.length;
            int dep = Math.max(1, deployments.length);
            requests = new LazyChildren<>(
                    e * p * STATUSES,
                    i -> requestsTotal.labelValues(
                            EndpointLabel.ALL[i / (p * STATUSES)].label(metricsPath),
                            providerNames[(i / STATUSES) % p],
                            Integer.toString(i % STATUSES)));
            latency = new LazyChildren<>(
                    e * p,
                    i -> latencyHistogram.labelValues(
                            EndpointLabel.ALL[i / p].label(metricsPath), providerNames[i % p]));
            tokens = new LazyChildren<>(
                    p * 2, i -> tokenTotal.labelValues(providerNames[i / 2], i % 2 == 0 ? "input" : "output"));
            cost = new LazyChildren<>(
                    dep, i -> costTotal.labelValues(deployments[i].providerName(), deployments[i].route()));
            attempts = new LazyChildren<>(
                    p * OUTCOMES,
                    i -> attemptsTotal.labelValues(providerNames[i / OUTCOMES], outcomeName(i % OUTCOMES)));
            failovers = new LazyChildren<>(p, i -> failoversTotal.labelValues(providerNames[i]));
            retries = new LazyChildren<>(p, i -> retriesTotal.labelValues(providerNames[i]));
            overhead =
                    new LazyChildren<>(e, i -> overheadHistogram.labelValues(EndpointLabel.ALL[i].label(metricsPath)));
            genAiDuration = new LazyChildren<>(OPERATIONS * dep, i -> genAi(duration, i));
            genAiTtft = new LazyChildren<>(OPERATIONS * dep, i -> genAi(ttft, i));
            genAiTokens = new LazyChildren<>(OPERATIONS * dep * 2, i -> {
                DeploymentLabels d = deployments[(i / 2) % dep];
                return tokenUsage.labelValues(
                        EndpointLabel.ALL[i / (2 * dep)].operation(),
                        d.genAiProvider(),
                        d.route(),
                        d.responseModel(),
                        i % 2 == 0 ? "input" : "output");
            });
            // Shown at zero from the start, so a rate() or an alert has its series before the first event.
            for (int i = 0; i < p; i++) {
                tokens.get(i * 2);
                tokens.get(i * 2 + 1);
                failovers.get(i);
                retries.get(i);
            }
            for (int i = 0; i < deployments.length; i++) {
                cost.get(i);
            }
        }

        private LeanHistogram.Child genAi(LeanHistogram h, int i) {
            int dep = Math.max(1, deployments.length);
            DeploymentLabels d = deployments[i % dep];
            return h.labelValues(
                    EndpointLabel.ALL[i / dep].operation(), d.genAiProvider(), d.route(), d.responseModel());
        }

        int provider(String name) {
            Integer i = name == null ? null : providerIndex.get(name);
            return i == null ? providerNames.length - 1 : i;
        }
    }

    /** The GenAI conventions' well-known {@code gen_ai.provider.name} for a provider type. */
    static String genAiProvider(String type) {
        return switch (type) {
            case "azure" -> "azure.ai.openai";
            case "openai", "anthropic", "ollama" -> type;
            default -> type.toLowerCase(Locale.ROOT);
        };
    }

    private static String outcomeName(int i) {
        return switch (i) {
            case 0 -> "answered";
            case 1 -> "cancelled";
            case 2 -> "gateway_error";
            default -> FAILURES[i - 3].configName();
        };
    }

    @Override
    public void started(Exchange exchange) {
        requestsInFlight.increment();
    }

    @Override
    public void attemptStarted(Exchange exchange, Attempt attempt) {
        List<Attempt> all = exchange.attempts();
        int previous = attempt.number() - 2;
        if (previous < 0 || previous >= all.size()) {
            return;
        }
        Attempt before = all.get(previous);
        Labels l = labels;
        int provider = l.provider(before.provider());
        if (before.deployment().equals(attempt.deployment())) {
            l.retries.get(provider).inc();
        } else {
            l.failovers.get(provider).inc();
        }
    }

    @Override
    public void attemptEnded(Exchange exchange, Attempt attempt) {
        Labels l = labels;
        l.attempts
                .get(l.provider(attempt.provider()) * OUTCOMES + outcome(attempt))
                .inc();
    }

    @Override
    public void firstByteToClient(Exchange exchange) {
        if (exchange.stream()) {
            streamsInFlight.increment();
        }
    }

    @Override
    public void completed(Exchange exchange) {
        requestsInFlight.decrement();
        if (exchange.stream() && exchange.firstByteToClientNanos() >= 0) {
            streamsInFlight.decrement();
        }
        long end = exchange.endNanos() >= 0 ? exchange.endNanos() : System.nanoTime();
        long total = Math.max(0, end - exchange.startNanos());
        EndpointLabel endpoint = EndpointLabel.of(exchange.endpoint(), exchange.path(), metricsPath);
        Attempt last = exchange.lastAttempt();
        Labels l = labels;
        int p = l.providerNames.length;
        int provider = last == null ? p - 1 : l.provider(last.provider());
        int status = exchange.statusCode();
        if (status < 0 || status >= STATUSES) {
            status = 0;
        }
        l.requests.get((endpoint.ordinal() * p + provider) * STATUSES + status).inc();
        l.latency.get(endpoint.ordinal() * p + provider).observe(total / NANOS);
        Usage usage = exchange.usage();
        if (usage.promptTokens() > 0) {
            l.tokens.get(provider * 2).inc(usage.promptTokens());
        }
        if (usage.completionTokens() > 0) {
            l.tokens.get(provider * 2 + 1).inc(usage.completionTokens());
        }
        if (endpoint.operation() == null) {
            return;
        }
        l.overhead.get(endpoint.ordinal()).observe(Math.max(0, total - upstreamNanos(exchange, end)) / NANOS);
        Integer deployment = last == null ? null : l.deploymentIndex.get(last.deployment());
        if (deployment == null) {
            return;
        }
        double usd = exchange.costUsd();
        if (usd > 0) { // NaN (unknown) adds nothing
            l.cost.get(deployment).inc(usd);
        }
        int d = endpoint.ordinal() * l.deployments.length + deployment;
        l.genAiDuration.get(d).observe(total / NANOS);
        if (exchange.stream() && exchange.firstByteToClientNanos() >= 0 && exchange.statusCode() == 200) {
            l.genAiTtft.get(d).observe(Math.max(0, exchange.firstByteToClientNanos() - exchange.startNanos()) / NANOS);
        }
        if (usage.promptTokens() >= 0) {
            l.genAiTokens.get(d * 2).observe(usage.promptTokens());
        }
        if (usage.completionTokens() >= 0) {
            l.genAiTokens.get(d * 2 + 1).observe(usage.completionTokens());
        }
    }

    /** The time the exchange's attempts took, each from its start to its end (or the exchange's). */
    private static long upstreamNanos(Exchange exchange, long end) {
        long sum = 0;
        List<Attempt> all = exchange.attempts();
        for (int i = 0; i < all.size(); i++) {
            Attempt a = all.get(i);
            long attemptEnd = a.endNanos() >= 0 ? a.endNanos() : end;
            sum += Math.max(0, attemptEnd - a.startNanos());
        }
        return sum;
    }

    private static int outcome(Attempt a) {
        return switch (a.outcome()) {
            case ANSWERED -> 0;
            case CANCELLED, PENDING -> 1;
            case FAILED -> a.failureClass() == null ? 2 : 3 + a.failureClass().ordinal();
        };
    }
}
