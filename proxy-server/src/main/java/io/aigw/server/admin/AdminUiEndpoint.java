package io.aigw.server.admin;

import io.aigw.core.error.ApiError;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.ApiKeyAuthHandler;
import io.aigw.server.http.EndpointRouter;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/ui/}: the admin console's static files, from the jar. The names served are a
 * fixed list read from the classpath into memory at start: a request's path only ever selects one
 * of them by exact name, it never becomes a path to open, so {@code ..} or an encoded one finds
 * nothing (404). The files hold no data, which is why they are served without an admin key (a
 * browser navigation cannot send one); every figure the pages show comes from the admin API, with
 * the key. The headers forbid framing, sniffing and any script or style not from these files.
 */
public final class AdminUiEndpoint implements Endpoint {
    public static final String ROOT = ApiKeyAuthHandler.CONSOLE;
    public static final String PREFIX = ROOT + "/";

    /** Every file of the console; index.html is the answer for the bare prefix. */
    static final List<String> FILES = List.of(
            "index.html",
            "style.css",
            "app.js",
            "api.js",
            "dom.js",
            "pages/overview.js",
            "pages/logs.js",
            "pages/keys.js",
            "pages/providers.js",
            "pages/config.js");

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private record File(byte[] bytes, String contentType) {}

    private final Map<String, File> files = new HashMap<>();

    /** Reads every file now: a jar missing one fails at start, not on a click. */
    public AdminUiEndpoint() {
        for (String name : FILES) {
            files.put(name, new File(read("admin-ui/" + name), contentType(name)));
        }
    }

    /** Routes the console's paths (GET and HEAD; the redirect from the bare {@value #ROOT}) to one endpoint. */
    public EndpointRouter addTo(EndpointRouter router) {
        for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.HEAD)) {
            router.route(m, ROOT, this).route(m, PREFIX, this).routePrefix(m, PREFIX, this);
        }
        return router;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        String path = exchange.path();
        if (path.equals(ROOT)) {
            FullHttpResponse r = Responses.full(HttpResponseStatus.PERMANENT_REDIRECT, Unpooled.EMPTY_BUFFER);
            r.headers().set(HttpHeaderNames.LOCATION, PREFIX).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            return;
        }
        String name = path.length() == PREFIX.length() ? "index.html" : path.substring(PREFIX.length());
        File file = files.get(name);
        if (file == null) {
            Responses.sendError(
                    ctx,
                    new ApiError(
                            404,
                            ApiError.INVALID_REQUEST,
                            "not_found",
                            null,
                            "The admin console has no file by that name."));
            return;
        }
        // A heap array wrapped, not copied: nothing pooled, nothing to release.
        FullHttpResponse r = Responses.full(HttpResponseStatus.OK, Unpooled.wrappedBuffer(file.bytes()));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, file.bytes().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Frame-Options", "DENY")
                .set("Content-Security-Policy", CSP)
                .set("Referrer-Policy", "no-referrer");
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        throw new IllegalArgumentException("no content type for " + name);
    }

    private static byte[] read(String resource) {
        try (InputStream in = AdminUiEndpoint.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the admin console file " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
