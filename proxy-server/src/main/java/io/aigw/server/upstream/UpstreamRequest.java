package io.aigw.server.upstream;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.dialect.Dialect;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the HTTP requests sent to one provider. Only the proxy's own headers go upstream: the
 * client's Authorization (and every other client header) stays behind; the provider's key, in its
 * dialect's header, and the configured extra headers are sent instead.
 *
 * <p>Everything but the length, the accept type and the request id is fixed per provider, so it is
 * rendered once here; a request then costs one small array-backed header set, not a hash map with
 * validation (header maps were the largest allocation per request in profiles).
 */
final class UpstreamRequest {
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream");
    private static final AsciiString USER_AGENT = AsciiString.cached("aigw/0.1");
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    private static final AsciiString TRACESTATE = AsciiString.cached("tracestate");

    private static final ApiEndpoint[] ENDPOINTS = ApiEndpoint.values();

    private final CharSequence[] fixed;
    private final CharSequence keyHeader;
    /** The key header's value per key index of the provider's pool, rendered once. */
    private final CharSequence[] keyValues;

    private final String basePath;
    private final Dialect dialect;
    /**
     * Paths by model id, then endpoint ordinal: Azure names the deployment in the path. Filled lazily
     * because the provider does not know which models route to it. Configured model ids are few,
     * but a wildcard route passes client-chosen names, so the cache is capped and past the cap
     * paths are simply built per request.
     */
    private final Map<String, String[]> pathsByModel = new ConcurrentHashMap<>();

    private static final int MAX_CACHED_MODELS = 1024;

    UpstreamRequest(ProviderConfig provider, Dialect dialect) {
        List<CharSequence> h = new ArrayList<>();
        add(h, HttpHeaderNames.HOST, hostHeader(provider));
        add(h, HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        add(h, HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        add(h, HttpHeaderNames.USER_AGENT, USER_AGENT);
        h.addAll(dialect.fixedHeaders(provider));
        for (Map.Entry<String, String> e : provider.headers().entrySet()) {
            add(h, new AsciiString(e.getKey()), e.getValue());
        }
        fixed = h.toArray(new CharSequence[0]);
        keyHeader = dialect.keyHeader();
        keyValues = new CharSequence[provider.apiKeys().size()];
        for (int i = 0; i < keyValues.length; i++) {
            keyValues[i] = new AsciiString(dialect.keyValue(provider.apiKeys().get(i)));
        }
        basePath = provider.baseUrl().getRawPath();
        this.dialect = dialect;
    }

    String path(ApiEndpoint endpoint, String modelId) {
        String[] paths = pathsByModel.get(modelId); // the lock-free read is the common case
        if (paths == null) {
            paths = pathsByModel.size() < MAX_CACHED_MODELS
                    ? pathsByModel.computeIfAbsent(modelId, this::paths)
                    : paths(modelId);
        }
        return paths[endpoint.ordinal()];
    }

    private String[] paths(String modelId) {
        String[] paths = new String[ENDPOINTS.length];
        for (ApiEndpoint endpoint : ENDPOINTS) {
            paths[endpoint.ordinal()] = basePath + dialect.path(endpoint, modelId);
        }
        return paths;
    }

    /** Without trace context (tests of other headers). */
    FullHttpRequest build(
            ApiEndpoint endpoint, String modelId, ByteBuf body, boolean stream, String requestId, KeyPool.Key key) {
        return build(endpoint, modelId, body, stream, requestId, key, null, null);
    }

    /**
     * Takes ownership of {@code body}; {@code key} is null for a provider without keys. The attempt's
     * {@code traceparent} (and the client's {@code tracestate}) go along when given, tracing on or off.
     */
    FullHttpRequest build(
            ApiEndpoint endpoint,
            String modelId,
            ByteBuf body,
            boolean stream,
            String requestId,
            KeyPool.Key key,
            String traceparent,
            String tracestate) {
        int extra = (key == null ? 6 : 8) + (traceparent == null ? 0 : 2) + (tracestate == null ? 0 : 2);
        CharSequence[] pairs = new CharSequence[fixed.length + extra];
        System.arraycopy(fixed, 0, pairs, 0, fixed.length);
        int i = fixed.length;
        pairs[i++] = HttpHeaderNames.CONTENT_LENGTH;
        pairs[i++] = Integer.toString(body.readableBytes());
        pairs[i++] = HttpHeaderNames.ACCEPT;
        pairs[i++] = stream ? EVENT_STREAM : HttpHeaderValues.APPLICATION_JSON;
        pairs[i++] = X_REQUEST_ID;
        pairs[i++] = requestId;
        if (key != null) {
            pairs[i++] = keyHeader;
            pairs[i++] = keyValues[key.index()];
        }
        if (traceparent != null) {
            pairs[i++] = TRACEPARENT;
            pairs[i++] = traceparent;
        }
        if (tracestate != null) {
            pairs[i++] = TRACESTATE;
            pairs[i] = tracestate;
        }
        // Values were validated when the config was loaded; request ids are filtered by RequestIds.
        return new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                path(endpoint, modelId),
                body,
                new ReadOnlyHttpHeaders(false, pairs),
                EmptyHttpHeaders.INSTANCE);
    }

    private static void add(List<CharSequence> pairs, CharSequence name, CharSequence value) {
        pairs.add(name);
        pairs.add(value);
    }

    private static String hostHeader(ProviderConfig provider) {
        String host = provider.baseUrl().getHost();
        int port = provider.baseUrl().getPort();
        return port > 0 ? host + ":" + port : host;
    }
}
