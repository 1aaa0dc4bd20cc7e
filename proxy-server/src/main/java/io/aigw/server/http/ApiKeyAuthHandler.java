package io.aigw.server.http;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.error.ApiError;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Turns {@code Authorization: Bearer <key>} into the key's hash on the {@link Exchange}, or answers
 * 401. Sits after exchange start and before the router, so unknown paths need a key too (nothing
 * about the API surface is told to anonymous callers), except the public paths.
 */
@Sharable
public final class ApiKeyAuthHandler extends ChannelInboundHandlerAdapter {
    private static final Set<String> PUBLIC_PATHS = Set.of("/health");
    private static final String BEARER = "bearer ";

    private final ApiKeyStore keys;

    public ApiKeyAuthHandler(ApiKeyStore keys) {
        this.keys = keys;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange exchange = Exchange.of(ctx.channel());
        if (PUBLIC_PATHS.contains(exchange.path())) {
            ctx.fireChannelRead(request);
            return;
        }
        KeyHash hash = authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (hash == null) {
            request.release();
            Responses.sendError(ctx, ApiError.unauthorized());
            return;
        }
        exchange.keyHash(hash);
        ctx.fireChannelRead(request);
    }

    private KeyHash authenticate(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        byte[] key = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return key.length == 0 ? null : keys.authenticate(key, 0, key.length);
    }
}
