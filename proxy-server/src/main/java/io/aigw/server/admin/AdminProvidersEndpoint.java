package io.aigw.server.admin;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.error.ApiError;
import io.aigw.core.routing.Clock;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/providers}: every provider's keys and deployments ({@link ProvidersJson});
 * {@code POST /admin/providers/{provider}/enable|disable|reset}: an override of that provider's
 * breakers ({@link ProviderAction}), answered with the provider's view after it. The router checks
 * the method and the auth handler the admin key; each override is logged with the key's hash prefix.
 */
public final class AdminProvidersEndpoint implements Endpoint {
    public static final String LIST_PATH = "/admin/providers";
    public static final String ITEM_PREFIX = "/admin/providers/";
    private static final Logger log = LoggerFactory.getLogger(AdminProvidersEndpoint.class);
    /** "sha256:" and 12 hex digits: enough to tell the admin keys apart, useless to an attacker. */
    private static final int HASH_PREFIX = "sha256:".length() + 12;

    private final AdminProviders providers;
    private final Clock clock;

    public AdminProvidersEndpoint(AdminProviders providers, Clock clock) {
        this.providers = providers;
        this.clock = clock;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        String method = request.method().name();
        request.release(); // no body is read
        String path = exchange.path();
        if (path.equals(LIST_PATH)) {
            Responses.sendJson(ctx, 200, ProvidersJson.all(providers, clock.nanoTime()));
            return;
        }
        String rest = path.substring(ITEM_PREFIX.length());
        int slash = rest.lastIndexOf('/');
        Optional<ProviderAction> action =
                slash > 0 ? ProviderAction.parse(rest.substring(slash + 1)) : Optional.empty();
        if (action.isEmpty()) {
            Responses.sendError(ctx, ApiError.unknownPath(method, path));
            return;
        }
        String name = rest.substring(0, slash);
        Optional<AdminProviders.Provider> provider = providers.get(name);
        if (provider.isEmpty()) {
            Responses.sendError(ctx, ApiError.providerNotFound(name));
            return;
        }
        action.get().apply(provider.get());
        log.info(
                "admin override: {} provider {} ({} deployment(s)) by admin key {}... (request {})",
                action.get().segment(),
                name,
                provider.get().deployments().size(),
                hashPrefix(exchange.keyHash()),
                exchange.requestId());
        Responses.sendJson(ctx, 200, ProvidersJson.one(provider.get(), clock.nanoTime()));
    }

    private static String hashPrefix(KeyHash hash) {
        return hash == null ? "(none)" : hash.toString().substring(0, HASH_PREFIX);
    }
}
