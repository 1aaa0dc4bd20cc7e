package io.aigw.server.upstream;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.dialect.Dialect;
import io.aigw.server.dialect.DialectCall;
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
        return build(
                HttpMethod.POST,
                path(endpoint, modelId),
                List.of(),
                body,
                stream,
                requestId,
                key,
                traceparent,
                tracestate);
    }

    /**
     * As above, for {@code call}: its method, its path (its own, or its upstream endpoint's, else the
     * client's endpoint's) and its headers, which replace the provider's fixed ones of the same names.
     */
    FullHttpRequest build(
            DialectCall call,
            ApiEndpoint endpoint,
            String modelId,
            ByteBuf body,
            boolean stream,
            String requestId,
            KeyPool.Key key,
            String traceparent,
            String tracestate) {
        String own = call.path();
        ApiEndpoint upstream = call.upstreamEndpoint();
        String path = own != null ? basePath + own : path(upstream != null ? upstream : endpoint, modelId);
        return build(call.method(), path, call.headers(), body, stream, requestId, key, traceparent, tracestate);
    }

    private FullHttpRequest build(
            HttpMethod method,
            String path,
            List<CharSequence> callHeaders,
            ByteBuf body,
            boolean stream,
            String requestId,
            KeyPool.Key key,
            String traceparent,
            String tracestate) {
        CharSequence[] base = callHeaders.isEmpty() ? fixed : without(fixed, callHeaders);
        int extra = (key == null ? 6 : 8)
                + (traceparent == null ? 0 : 2)
                + (tracestate == null ? 0 : 2)
                + callHeaders.size();
        CharSequence[] pairs = new CharSequence[base.length + extra];
        System.arraycopy(base, 0, pairs, 0, base.length);
        int i = base.length;
        for (CharSequence h : callHeaders) {
            pairs[i++] = h;
        }
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
        // Values were validated when the config was loaded (a call's own headers by its dialect); request
        // ids are filtered by RequestIds.
        return new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                method,
                path,
                body,
                new ReadOnlyHttpHeaders(false, pairs),
                EmptyHttpHeaders.INSTANCE);
    }

    /** {@code pairs} less those whose names {@code replaced} has (names compared ignoring case). */
    private static CharSequence[] without(CharSequence[] pairs, List<CharSequence> replaced) {
        List<CharSequence> kept = new ArrayList<>(pairs.length);
        for (int i = 0; i < pairs.length; i += 2) {
            boolean replace = false;
            for (int j = 0; j < replaced.size(); j += 2) {
                if (AsciiString.contentEqualsIgnoreCase(pairs[i], replaced.get(j))) {
                    replace = true;
                    break;
                }
            }
            if (!replace) {
                kept.add(pairs[i]);
                kept.add(pairs[i + 1]);
            }
        }
        return kept.toArray(new CharSequence[0]);
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
