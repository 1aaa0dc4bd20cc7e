package io.aigw.core.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Resolves a requested model name against configured route names. A name ending in {@code /*} (e.g.
 * {@code openrouter/*}) matches any model starting with its prefix ({@code openrouter/}) followed by at least
 * one character, and yields that rest as the provider model id. An exact name wins over every wildcard; among
 * wildcards the longest prefix wins. Immutable and thread-safe.
 *
 * @param <T> the route value
 */
public final class WildcardRoutes<T> {

    /**
     * @param name    the configured name that matched
     * @param route   its value
     * @param modelId for a wildcard the rest of the requested name; for an exact match empty (use the route's
     *                configured model ids)
     */
    public record Match<T>(String name, T route, Optional<String> modelId) {
        public boolean wildcard() {
            return modelId.isPresent();
        }
    }

    private record Wildcard<T>(String name, String prefix, T route) {}

    private final Map<String, T> exact;
    private final List<Wildcard<T>> wildcards;

    private WildcardRoutes(Map<String, T> routes) {
        Map<String, T> ex = new HashMap<>();
        List<Wildcard<T>> wc = new ArrayList<>();
        routes.forEach((name, route) -> {
            Objects.requireNonNull(name, "route name");
            Objects.requireNonNull(route, "route");
            if (isWildcard(name)) {
                wc.add(new Wildcard<>(name, name.substring(0, name.length() - 1), route));
            } else {
                ex.put(name, route);
            }
        });
        wc.sort(Comparator.comparingInt((Wildcard<T> w) -> w.prefix.length())
                .reversed()
                .thenComparing(Wildcard::prefix));
        this.exact = Map.copyOf(ex);
        this.wildcards = List.copyOf(wc);
    }

    public static <T> WildcardRoutes<T> of(Map<String, T> routes) {
        return new WildcardRoutes<>(routes);
    }

    /** Whether {@code name} is a wildcard route name ({@code something/*}). */
    public static boolean isWildcard(String name) {
        return name.length() > 2 && name.endsWith("/*");
    }

    public Optional<Match<T>> match(String model) {
        if (model == null || model.isEmpty()) {
            return Optional.empty();
        }
        T route = exact.get(model);
        if (route != null) {
            return Optional.of(new Match<>(model, route, Optional.empty()));
        }
        for (Wildcard<T> w : wildcards) {
            if (model.length() > w.prefix.length() && model.startsWith(w.prefix)) {
                return Optional.of(new Match<>(w.name, w.route, Optional.of(model.substring(w.prefix.length()))));
            }
        }
        return Optional.empty();
    }
}
