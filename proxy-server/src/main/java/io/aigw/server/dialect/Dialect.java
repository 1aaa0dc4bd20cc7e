package io.aigw.server.dialect;

import io.aigw.adapters.openai.RequestScan;
import io.aigw.core.config.ProviderConfig;
import io.aigw.core.config.ProxyConfig.Deployment;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * How the proxy speaks to one provider type: what goes upstream for a client request, and how the
 * answer comes back in OpenAI's shape. The translation itself lives in proxy-adapters as pure
 * functions over bytes; a dialect only picks and sequences them, so the server never knows a
 * provider's JSON.
 */
public interface Dialect {

    /**
     * Prepares one call. The client body is only read ({@code scan} was made from it). Throws
     * {@link io.aigw.core.error.ApiException} (400) for what the provider cannot take.
     */
    DialectCall prepare(
            ApiEndpoint endpoint, ByteBuf clientBody, RequestScan scan, Deployment deployment, ByteBufAllocator alloc);

    /**
     * The path (and query, if any) under the provider's base URL for this endpoint and deployment
     * model id. Called once per pair and cached, so it may build strings freely.
     */
    String path(ApiEndpoint endpoint, String modelId);

    /**
     * Headers sent with every request to this provider, as name/value pairs. Not the provider's API
     * keys: a key is chosen per request from the provider's pool and sent in {@link #keyHeader()}.
     */
    List<CharSequence> fixedHeaders(ProviderConfig provider);

    /** The header that carries one of the provider's API keys. */
    CharSequence keyHeader();

    /** That header's value for {@code key} (a bearer prefix, or the key as it is). */
    default CharSequence keyValue(String key) {
        return "Bearer " + key;
    }
}
