package io.aigw.server.http;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ClientApi;
import io.aigw.core.keys.ClientKey;
import io.aigw.core.keys.KeyDirectory;
import io.aigw.core.keys.KeyDirectory.Found;
import io.aigw.core.keys.KeyPrincipal;
import io.aigw.core.keys.NewSecret;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;

/**
 * Turns {@code Authorization: Bearer <key>} (or, on Anthropic's {@code /v1/messages} paths, {@code
 * x-api-key: <key>}) into the key's hash on the {@link Exchange}, or answers
 * 401. Sits after exchange start and before the router, so unknown paths need a key too (nothing
 * about the API surface is told to anonymous callers), except the public paths.
 *
 * <p>Paths under {@value #ADMIN_PREFIX} take an admin key and nothing else; every other path takes
 * a client key and nothing else (the two sets are disjoint, the config loader checks it). With no
 * admin key configured, the admin paths answer 401 whatever is sent. The one exception is reading
 * the admin console's static files ({@value #CONSOLE}, GET and HEAD only): they hold no data.
 *
 * <p>A client key is first looked for among the config file's keys (in memory), then in the
 * database keys' {@link KeyDirectory}: a cached key is answered at once; otherwise the request is
 * held (not read further, not released) while the directory looks the hash up on its own thread,
 * and resumes on the connection's event loop, unless the connection closed or the exchange was
 * ended meanwhile, in which case it is only released. A database key that is revoked or expired
 * gets a 401 that says so; its principal goes on the exchange for the model and budget checks. A
 * key that does not have the shape of a database key ({@link NewSecret#isWellFormed}) is refused
 * without a lookup.
 */
@Sharable
public final class ApiKeyAuthHandler extends ChannelInboundHandlerAdapter {
    /** Everything under it is the admin API. */
    public static final String ADMIN_PREFIX = "/admin/";
    /**
     * The admin console's static files: read without a key (a browser navigation cannot send one;
     * they hold no data, every figure comes from the admin API with the key).
     */
    public static final String CONSOLE = "/admin/ui";

    private static final String BEARER = "bearer ";
    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");

    static final ApiError REVOKED =
            new ApiError(401, ApiError.INVALID_REQUEST, "invalid_api_key", null, "The API key has been revoked.");
    static final ApiError EXPIRED =
            new ApiError(401, ApiError.INVALID_REQUEST, "invalid_api_key", null, "The API key has expired.");
    static final ApiError STORE_DOWN = ApiError.unavailable(
            "key_store_unavailable", "The API key could not be checked: the key store did not answer. Retry.");

    private final ApiKeyStore keys;
    private final ApiKeyStore adminKeys;
    /** The metrics path when it is served without a key, else null. */
    private final String openPath;
    /** The metrics path when it takes an admin key ({@code metrics.auth: admin}), else null. */
    private final String adminOnlyPath;
    /** The database keys, or null when {@code keys.store} is off. */
    private final KeyDirectory directory;

    /** Client keys only: the admin API is off. */
    public ApiKeyAuthHandler(ApiKeyStore keys) {
        this(keys, null);
    }

    /** @param adminKeys the admin keys, or null when none is configured (the admin API is off) */
    public ApiKeyAuthHandler(ApiKeyStore keys, ApiKeyStore adminKeys) {
        this(keys, adminKeys, null, false, null);
    }

    /**
     * @param metricsPath the path metrics are served at, or null when they are off
     * @param metricsAdmin whether scraping takes an admin key; else the path is open like /health
     * @param directory the database keys, or null when there are none
     */
    public ApiKeyAuthHandler(
            ApiKeyStore keys, ApiKeyStore adminKeys, String metricsPath, boolean metricsAdmin, KeyDirectory directory) {
        this.keys = keys;
        this.adminKeys = adminKeys;
        this.openPath = metricsAdmin ? null : metricsPath;
        this.adminOnlyPath = metricsAdmin ? metricsPath : null;
        this.directory = directory;
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
        if (isPublic(path) || isConsole(request.method(), path)) {
            ctx.fireChannelRead(request);
            return;
        }
        boolean admin = needsAdmin(path);
        ApiKeyStore store = admin ? adminKeys : keys;
        String key = presentedKey(request.headers(), path);
        KeyHash presented = key == null ? null : PresentedKeys.hash(key);
        KeyHash hash = store == null || presented == null ? null : store.find(presented);
        if (hash != null) {
            exchange.keyHash(hash);
            ctx.fireChannelRead(request);
            return;
        }
        if (admin || directory == null || presented == null || !NewSecret.isWellFormed(key)) {
            request.release();
            Responses.sendError(ctx, refusal(admin));
            return;
        }
        Found cached = directory.cached(presented);
        if (cached != null) {
            resume(ctx, request, exchange, presented, cached);
            return;
        }
        directory.lookup(presented).whenComplete((found, failure) -> {
            Found answer = found == null ? new Found(null, true) : found;
            try {
                ctx.channel().eventLoop().execute(() -> resumeLater(ctx, request, exchange, presented, answer));
            } catch (RejectedExecutionException stopped) {
                request.release(); // the loop is gone, and the connection with it
            }
        });
    }

    private void resumeLater(
            ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange, KeyHash presented, Found found) {
        if (!ctx.channel().isActive() || exchange.isCompleted() || Exchange.of(ctx.channel()) != exchange) {
            request.release(); // the client left, or a stop already answered: nobody to answer
            return;
        }
        resume(ctx, request, exchange, presented, found);
    }

    private void resume(
            ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange, KeyHash presented, Found found) {
        ApiError refused = refusal(found, presented);
        if (refused != null) {
            request.release();
            Responses.sendError(ctx, refused);
            return;
        }
        exchange.keyHash(presented);
        exchange.principal(new KeyPrincipal(found.key(), directory));
        ctx.fireChannelRead(request);
    }

    /** Why a database key is refused, or null when it is good (its model and budget are checked later). */
    private ApiError refusal(Found found, KeyHash presented) {
        if (found.storeFailed()) {
            return STORE_DOWN;
        }
        ClientKey key = found.key();
        Instant now = directory.clock().instant();
        if (key == null || !key.accepts(presented, now)) {
            return ApiError.unauthorized();
        }
        if (key.isRevoked()) {
            return REVOKED;
        }
        if (key.isExpired(now)) {
            return EXPIRED;
        }
        return null;
    }

    /**
     * Why a request with these headers is refused, or null when its key is good, the path is public,
     * or the key needs a lookup (a well-formed database key not cached: then a 100 Continue goes out
     * and the request is checked once whole). For {@code Expect:
     * 100-continue}, which must be answered before the body is read.
     */
    public ApiError check(String path, HttpHeaders headers) {
        if (isPublic(path)) {
            return null;
        }
        boolean admin = needsAdmin(path);
        ApiKeyStore store = admin ? adminKeys : keys;
        String key = presentedKey(headers, path);
        KeyHash presented = key == null ? null : PresentedKeys.hash(key);
        if (presented != null && store != null && store.find(presented) != null) {
            return null;
        }
        if (admin || directory == null || presented == null || !NewSecret.isWellFormed(key)) {
            return refusal(admin);
        }
        Found cached = directory.cached(presented);
        return cached == null ? null : refusal(cached, presented);
    }

    private ApiError refusal(boolean admin) {
        return !admin
                ? ApiError.unauthorized()
                : adminKeys == null ? ApiError.adminNotConfigured() : ApiError.adminKeyRequired();
    }

    /** GET or HEAD of {@value #CONSOLE} or under it, and nothing else under {@code /admin/}. */
    static boolean isConsole(HttpMethod method, String path) {
        return (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD))
                && path.startsWith(CONSOLE)
                && (path.length() == CONSOLE.length() || path.charAt(CONSOLE.length()) == '/');
    }

    /** {@code /admin} itself or anything under {@code /admin/}; one character compare on the /v1 paths. */
    static boolean isAdminPath(String path) {
        return path.startsWith(ADMIN_PREFIX) || path.length() == ADMIN_PREFIX.length() - 1 && path.startsWith("/admin");
    }

    /**
     * The client's key: on Anthropic's paths ({@code /v1/messages...}) the {@code x-api-key} header
     * Anthropic's SDKs and Claude Code send, else (and there too, when it is absent) the Bearer key.
     */
    static String presentedKey(HttpHeaders headers, String path) {
        if (ClientApi.ofPath(path) == ClientApi.ANTHROPIC) {
            String key = headers.get(X_API_KEY);
            if (key != null && !(key = key.trim()).isEmpty()) {
                return key;
            }
        }
        return bearer(headers.get(HttpHeaderNames.AUTHORIZATION));
    }

    /** The Bearer key, or null when there is none. */
    private static String bearer(String authorization) {
        if (authorization == null
                || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = authorization.substring(BEARER.length()).trim();
        return key.isEmpty() ? null : key;
    }
}
