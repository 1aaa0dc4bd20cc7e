package io.aigw.server.admin;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.routing.DeploymentState;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.routing.Routes;
import io.aigw.server.routing.Routing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live routing state seen by provider, for the admin API: each configured provider with its key
 * pool and every deployment routed to it. Built once at start over the same objects the request path
 * uses, so reads show the current state and overrides act on it.
 */
public final class AdminProviders {

    /** One deployment routed to a provider, with the public model it serves. */
    public record Routed(String model, DeploymentState state) {}

    /** A configured provider: its keys and its deployments, in configuration order. */
    public record Provider(
            String name, String type, ProviderConfig.KeyStrategy keyStrategy, KeyPool keys, List<Routed> deployments) {}

    private final Map<String, Provider> byName;

    public AdminProviders(ProxyConfig config, Routing routing) {
        Map<String, Provider> providers = new LinkedHashMap<>();
        for (ProviderConfig p : config.providers().values()) {
            List<Routed> deployments = new ArrayList<>();
            for (Routes.Route route : routing.routes().all()) {
                for (DeploymentState d : route.selector().deployments()) {
                    if (d.provider().equals(p.name())) {
                        deployments.add(new Routed(route.config().name(), d));
                    }
                }
            }
            providers.put(
                    p.name(),
                    new Provider(
                            p.name(),
                            p.type(),
                            p.keyStrategy(),
                            routing.keys().get(p.name()),
                            List.copyOf(deployments)));
        }
        this.byName = providers;
    }

    /** Every provider, in configuration order. */
    public Iterable<Provider> all() {
        return byName.values();
    }

    public Optional<Provider> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}
