package io.aigw.server.routing;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.config.ProxyConfig.ModelRoute;
import io.aigw.core.routing.BreakerPolicy;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.RouteSelector;
import io.aigw.core.routing.WildcardRoutes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live route table: every public model with its deployments' runtime state (circuit breaker,
 * latency), built at start and at each config reload, and shared by all event loops (the state is
 * lock-free).
 */
public final class Routes {

    /** One public model: its selector, and the configured deployment behind each runtime state. */
    public record Route(ModelRoute config, RouteSelector selector, Map<DeploymentState, Deployment> deployments) {}

    private final WildcardRoutes<Route> byName;
    private final List<Route> all;

    public Routes(ProxyConfig config) {
        this(config, null);
    }

    /**
     * The routes of a reloaded {@code config}; a deployment (model name, provider name and model id)
     * that {@code previous} also has keeps its runtime state (see {@link DeploymentState#reconfigured}).
     */
    public Routes(ProxyConfig config, Routes previous) {
        Map<String, DeploymentState> before = new HashMap<>();
        if (previous != null) {
            for (Route r : previous.all) {
                for (DeploymentState d : r.deployments().keySet()) {
                    before.put(d.name(), d);
                }
            }
        }
        Map<String, Route> routes = new LinkedHashMap<>();
        for (ModelRoute model : config.models().values()) {
            List<DeploymentState> states = new ArrayList<>();
            Map<DeploymentState, Deployment> deployments = new HashMap<>();
            for (Deployment d : model.deployments()) {
                ProviderConfig provider = config.providers().get(d.provider());
                BreakerPolicy breaker = BreakerPolicy.of(
                        provider.upstream().breakerFailures(),
                        provider.upstream().breakerCooldown(),
                        provider.upstream().breakerMaxRetryAfter());
                String name = model.name() + "@" + d.provider();
                DeploymentState old = before.get(name);
                if (old != null && !old.modelId().equals(d.modelId())) {
                    // Another model behind the same names: its failures and latency are not this one's
                    // (and an operator who fixed a failing model_id must not wait out the old breaker).
                    old = null;
                }
                DeploymentState state = old != null
                        ? old.reconfigured(d.modelId(), d.priority(), d.weight(), breaker)
                        : DeploymentState.of(name, d.provider(), d.modelId(), d.priority(), d.weight(), breaker);
                states.add(state);
                deployments.put(state, d);
            }
            RouteSelector.Strategy strategy = model.strategy() == ProxyConfig.RouteStrategy.LEAST_LATENCY
                    ? RouteSelector.Strategy.LEAST_LATENCY
                    : RouteSelector.Strategy.PRIORITY;
            routes.put(model.name(), new Route(model, RouteSelector.of(strategy, states), Map.copyOf(deployments)));
        }
        this.byName = WildcardRoutes.of(routes);
        this.all = List.copyOf(routes.values());
    }

    /** Every route, in configuration order (for the admin view and overrides). */
    public List<Route> all() {
        return all;
    }

    public Optional<WildcardRoutes.Match<Route>> match(String model) {
        return byName.match(model);
    }
}
