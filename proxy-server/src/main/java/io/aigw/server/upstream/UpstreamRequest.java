package io.aigw.server.upstream;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.Map;

/**
 * The HTTP request sent to an OpenAI-compatible provider. Only the proxy's own headers go upstream:
 * the client's Authorization (and every other client header) stays behind; the provider's key and
 * configured extra headers are sent instead.
 */
final class UpstreamRequest {
    private UpstreamRequest() {}

    static FullHttpRequest build(ProviderConfig provider, ApiEndpoint endpoint, ByteBuf body,
                                 boolean stream, String requestId) {
        String path = provider.baseUrl().getRawPath() + endpoint.upstreamPath();
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(HttpHeaderNames.HOST, hostHeader(provider));
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        h.set(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json");
        h.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        h.set(HttpHeaderNames.USER_AGENT, "aigw/0.1");
        h.set("x-request-id", requestId);
        if (!provider.apiKey().isEmpty()) {
            h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + provider.apiKey());
        }
        for (Map.Entry<String, String> e : provider.headers().entrySet()) {
            h.set(e.getKey(), e.getValue());
        }
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, body, h,
                EmptyHttpHeaders.INSTANCE);
    }

    private static String hostHeader(ProviderConfig provider) {
        String host = provider.baseUrl().getHost();
        int port = provider.baseUrl().getPort();
        return port > 0 ? host + ":" + port : host;
    }
}
