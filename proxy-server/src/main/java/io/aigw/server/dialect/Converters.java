package io.aigw.server.dialect;

import io.aigw.core.error.ApiError;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ClientApi;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The converters by (client API, provider type): how a request in one API reaches a provider that speaks
 * another (or the same, passed through). OpenAI's client API is not here: its calls go to the provider's
 * dialect directly, as they always did.
 */
public final class Converters {
    private final Map<ClientApi, Map<String, Converter>> byPair = new EnumMap<>(ClientApi.class);

    /** Every pair the gateway serves. */
    public static Converters defaults() {
        Converters c = new Converters();
        io.aigw.server.dialect.messages.MessagesConverters.register(c);
        io.aigw.server.dialect.responses.ResponsesConverters.register(c);
        return c;
    }

    /** Adds a pair; a pair registered twice is a bug, found at start. */
    public Converters register(ClientApi client, String providerType, Converter converter) {
        if (client == ClientApi.OPENAI) {
            throw new IllegalArgumentException("OpenAI's client API goes to the dialects directly");
        }
        Converter before = byPair.computeIfAbsent(client, k -> new HashMap<>()).putIfAbsent(providerType, converter);
        if (before != null) {
            throw new IllegalStateException("two converters for " + client + " to " + providerType);
        }
        return this;
    }

    public Converters registerAll(ClientApi client, Collection<String> providerTypes, Converter converter) {
        for (String type : providerTypes) {
            register(client, type, converter);
        }
        return this;
    }

    /** Whether the pair is served. */
    public boolean serves(ClientApi client, String providerType) {
        Map<String, Converter> m = byPair.get(client);
        return m != null && m.containsKey(providerType);
    }

    /** The call for {@code in}, by its pair; a pair not served is the client's 400, naming the provider. */
    public DialectCall prepare(CallInput in) {
        ClientApi client = in.endpoint().clientApi();
        Map<String, Converter> m = byPair.get(client);
        Converter c = m == null ? null : m.get(in.provider().type());
        if (c == null) {
            throw new ApiException(ApiError.badRequest(
                    "unsupported_endpoint",
                    null,
                    "Provider '" + in.provider().name() + "' (" + in.provider().type() + ") does not serve /v1"
                            + in.endpoint().upstreamPath() + "."));
        }
        return c.prepare(in);
    }
}
