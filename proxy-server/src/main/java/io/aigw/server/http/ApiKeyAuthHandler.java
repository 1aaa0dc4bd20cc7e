package io.aigw.server.http;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.error.ApiError;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * Turns {@code Authorization: Bearer <key>} into the key's hash on the {@link Exchange}, or answers
 * 401. Sits after exchange start and before the router, so unknown paths need a key too (nothing
 * about the API surface is told to anonymous callers), except the public paths.
 *
 * <p>Paths under {@value #ADMIN_PREFIX} take an admin key and nothing else; every other path takes
 * a client key and nothing else (the two sets are disjoint, the config loader checks it). With no
 * admin key configured, the admin paths answer 401 whatever is sent.
 */
@Sharable
public final class ApiKeyAuthHandler extends ChannelInboundHandlerAdapter {
    /** Everything under it is the admin API. */
    public static final String ADMIN_PREFIX = "/admin/";

    private static final String BEARER = "bearer ";

    private final ApiKeyStore keys;
    private final ApiKeyStore adminKeys;
    /** The metrics path when it is served without a key, else null. */
    private final String openPath;
    /** The metrics path when it takes an admin key ({@code metrics.auth: admin}), else null. */
    private final String adminOnlyPath;

    /** Client keys only: the admin API is off. */
    public ApiKeyAuthHandler(ApiKeyStore keys) {
        this(keys, null);
    }

    /** @param adminKeys the admin keys, or null when none is configured (the admin API is off) */
    public ApiKeyAuthHandler(ApiKeyStore keys, ApiKeyStore adminKeys) {
        this(keys, adminKeys, null, false);
    }

    /**
     * @param metricsPath the path metrics are served at, or null when they are off
     * @param metricsAdmin whether scraping takes an admin key; else the path is open like /health
     */
    public ApiKeyAuthHandler(ApiKeyStore keys, ApiKeyStore adminKeys, String metricsPath, boolean metricsAdmin) {
        this.keys = keys;
        this.adminKeys = adminKeys;
        this.openPath = metricsAdmin ? null : metricsPath;
        this.adminOnlyPath = metricsAdmin ? metricsPath : null;
    }

    private boolean isPublic(String path) {
        return ProbePaths.isProbe(path) || path.equals(openPath);
    }

    private boolean needsAdmin(String path) {
        return isAdminPath(path) || path.equals(adminOnlyPath);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange exchange = Exchange.of(ctx.channel());
        String path = exchange.path();
        if (isPublic(path)) {
            ctx.fireChannelRead(request);
            return;
        }
        boolean admin = needsAdmin(path);
        ApiKeyStore store = admin ? adminKeys : keys;
        KeyHash hash =
                store == null ? null : authenticate(store, request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (hash == null) {
            request.release();
            Responses.sendError(ctx, refusal(admin));
            return;
        }
        exchange.keyHash(hash);
        ctx.fireChannelRead(request);
    }

    /**
     * Why a request with these headers is refused, or null when its key is good (or the path is
     * public). For {@code Expect: 100-continue}, which must be answered before the body is read.
     */
    public ApiError check(String path, HttpHeaders headers) {
        if (isPublic(path)) {
            return null;
        }
        boolean admin = needsAdmin(path);
        ApiKeyStore store = admin ? adminKeys : keys;
        boolean good = store != null && authenticate(store, headers.get(HttpHeaderNames.AUTHORIZATION)) != null;
        return good ? null : refusal(admin);
    }

    private ApiError refusal(boolean admin) {
        return !admin
                ? ApiError.unauthorized()
                : adminKeys == null ? ApiError.adminNotConfigured() : ApiError.adminKeyRequired();
    }

    /** {@code /admin} itself or anything under {@code /admin/}; one character compare on the /v1 paths. */
    static boolean isAdminPath(String path) {
        return path.startsWith(ADMIN_PREFIX) || path.length() == ADMIN_PREFIX.length() - 1 && path.startsWith("/admin");
    }

    private static KeyHash authenticate(ApiKeyStore store, String authorization) {
        if (authorization == null
                || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        byte[] key = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return key.length == 0 ? null : store.authenticate(key, 0, key.length);
    }
}
