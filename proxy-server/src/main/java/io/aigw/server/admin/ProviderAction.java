package io.aigw.server.admin;

import io.aigw.core.routing.CircuitBreaker;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An operator's override of a provider's breakers ({@code POST /admin/providers/{provider}/{action}}),
 * applied to every deployment routed to it.
 */
public enum ProviderAction {
    /** Kept out of every route until {@link #ENABLE} or {@link #RESET}. */
    DISABLE {
        @Override
        void apply(AdminProviders.Provider provider) {
            breakers(provider, CircuitBreaker::disable);
        }
    },
    /** Back in every route, and kept in (the breaker does not trip) until {@link #RESET} or {@link #DISABLE}. */
    ENABLE {
        @Override
        void apply(AdminProviders.Provider provider) {
            breakers(provider, CircuitBreaker::enable);
        }
    },
    /** Fresh breakers under automatic control, and every key usable again (removed and cooling ones included). */
    RESET {
        @Override
        void apply(AdminProviders.Provider provider) {
            breakers(provider, CircuitBreaker::reset);
            provider.keys().reset();
        }
    };

    abstract void apply(AdminProviders.Provider provider);

    /** The action named by the last path segment ({@code enable}, {@code disable}, {@code reset}). */
    public static Optional<ProviderAction> parse(String segment) {
        for (ProviderAction a : values()) {
            if (a.segment().equals(segment)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public String segment() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static void breakers(AdminProviders.Provider provider, Consumer<CircuitBreaker> op) {
        for (AdminProviders.Routed d : provider.deployments()) {
            op.accept(d.state().breaker());
        }
    }
}
