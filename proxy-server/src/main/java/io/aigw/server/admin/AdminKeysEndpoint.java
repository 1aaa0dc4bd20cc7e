package io.aigw.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aigw.core.error.ApiError;
import io.aigw.core.keys.BudgetPeriod;
import io.aigw.core.keys.ClientKey;
import io.aigw.core.keys.ClientKeys;
import io.aigw.core.keys.KeySettings;
import io.aigw.core.keys.KeyStore;
import io.aigw.core.keys.NewSecret;
import io.aigw.core.keys.Spend;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client keys' admin API (the auth handler has checked the admin key):
 *
 * <ul>
 *   <li>{@code POST /admin/keys}: a new key, 201 with its secret in {@code key}, shown this once;
 *   <li>{@code GET /admin/keys?name=&limit=&after=}: keys by id, paged;
 *   <li>{@code GET /admin/keys/{id}}: one key with its spend in the current budget period;
 *   <li>{@code PATCH /admin/keys/{id}}: changed settings ({@code null} clears a field);
 *   <li>{@code DELETE /admin/keys/{id}}: revoked (the row stays, for the log);
 *   <li>{@code POST /admin/keys/{id}/rotate}: a new secret, the old one valid for {@code grace_seconds}.
 * </ul>
 *
 * The body is checked on the event loop (it is small); the store is called on the admin executor and
 * only the answer comes back to the loop. Every change is put in this process's key cache before it
 * is answered, so it applies to the next request; other processes see it within their refresh.
 */
public final class AdminKeysEndpoint implements Endpoint {
    public static final String LIST_PATH = "/admin/keys";
    public static final String ITEM_PREFIX = "/admin/keys/";
    private static final Logger log = LoggerFactory.getLogger(AdminKeysEndpoint.class);
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final ClientKeys keys;
    private final ExecutorService executor;

    public AdminKeysEndpoint(ClientKeys keys, ExecutorService executor) {
        this.keys = keys;
        this.executor = executor;
    }

    /** What the executor runs: a JDBC call that ends in an answer (or throws one). */
    private interface Work {
        Answer run() throws Exception;
    }

    private record Answer(int status, byte[] body, ApiError error) {
        static Answer ok(int status, byte[] body) {
            return new Answer(status, body, null);
        }

        static Answer error(ApiError error) {
            return new Answer(error.status(), null, error);
        }
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        HttpMethod method = request.method();
        String uri = request.uri();
        byte[] body = ByteBufUtil.getBytes(request.content());
        request.release();
        String path = exchange.path();
        Work work;
        try {
            work = route(method, path, uri, body, exchange);
        } catch (KeyRequest.Invalid e) {
            Responses.sendError(ctx, e.error);
            return;
        }
        if (work == null) {
            Responses.sendError(ctx, ApiError.unknownPath(method.name(), path));
            return;
        }
        try {
            executor.execute(() -> {
                Answer answer;
                try {
                    answer = work.run();
                } catch (Exception e) {
                    log.warn("request {}: the key store failed: {}", exchange.requestId(), e.toString());
                    answer = Answer.error(
                            ApiError.unavailable("key_store_unavailable", "The key store did not answer."));
                }
                Answer done = answer;
                ctx.executor().execute(() -> {
                    if (done.error() != null) {
                        Responses.sendError(ctx, done.error());
                    } else {
                        Responses.sendJson(ctx, done.status(), done.body());
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            Responses.sendError(ctx, ApiError.unavailable("shutting_down", "The proxy is stopping."));
        }
    }

    /** The work for a request, with its input already checked; null for a path that is not ours. */
    private Work route(HttpMethod method, String path, String uri, byte[] body, Exchange exchange) {
        if (path.equals(LIST_PATH)) {
            if (method.equals(HttpMethod.POST)) {
                KeySettings settings = KeyRequest.create(KeyRequest.object(body, false));
                return () -> create(settings, exchange);
            }
            return list(uri);
        }
        String rest = path.substring(ITEM_PREFIX.length());
        boolean rotate = rest.endsWith("/rotate");
        String idText = rotate ? rest.substring(0, rest.length() - "/rotate".length()) : rest;
        if (rotate != method.equals(HttpMethod.POST)) {
            return null;
        }
        Long parsed = id(idText);
        if (parsed == null) {
            return () -> Answer.error(notFound());
        }
        long id = parsed;
        if (rotate) {
            long grace = KeyRequest.graceSeconds(KeyRequest.object(body, true));
            return () -> rotate(id, grace, exchange);
        }
        if (method.equals(HttpMethod.GET)) {
            return () -> show(id);
        }
        if (method.equals(HttpMethod.DELETE)) {
            return () -> revoke(id, exchange);
        }
        ObjectNode patch = KeyRequest.object(body, false); // PATCH: its fields are checked against the key
        return () -> patch(id, patch, exchange);
    }

    private Answer create(KeySettings settings, Exchange exchange) throws Exception {
        NewSecret secret = NewSecret.generate();
        ClientKey key = store().create(settings, secret.hash(), secret.prefix(), now());
        keys.directory().changed(key);
        log.info("admin: client key {} created (request {})", key.id(), exchange.requestId());
        return Answer.ok(201, KeysJson.one(key, secret.key(), null));
    }

    private Work list(String uri) {
        Map<String, List<String>> params;
        try {
            params = new QueryStringDecoder(uri).parameters();
        } catch (IllegalArgumentException e) {
            throw new KeyRequest.Invalid(null, "The query string is not validly percent-encoded.");
        }
        String name = one(params, "name");
        if (name != null && (name.isEmpty() || name.length() > 200)) {
            throw new KeyRequest.Invalid("name", "'name' must be 1 to 200 characters.");
        }
        int limit = DEFAULT_LIMIT;
        String l = one(params, "limit");
        if (l != null) {
            Long n = id(l);
            if (n == null || n < 1 || n > MAX_LIMIT) {
                throw new KeyRequest.Invalid("limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT + ".");
            }
            limit = n.intValue();
        }
        long after = 0;
        String a = one(params, "after");
        if (a != null) {
            Long n = id(a);
            if (n == null) {
                throw new KeyRequest.Invalid("after", "'after' must be a key id.");
            }
            after = n;
        }
        int pageSize = limit;
        long afterId = after;
        return () -> {
            List<ClientKey> page = store().list(name, afterId, pageSize + 1);
            boolean more = page.size() > pageSize;
            return Answer.ok(200, KeysJson.list(more ? page.subList(0, pageSize) : page, more));
        };
    }

    private Answer show(long id) throws Exception {
        ClientKey key = store().get(id);
        if (key == null) {
            return Answer.error(notFound());
        }
        keys.writer().flush(); // this process's spend not yet written counts too
        BudgetPeriod period = key.settings().spendPeriod();
        LocalDate start = period.start(keys.directory().today());
        Spend spend = store().spendSince(List.of(id), start).getOrDefault(id, Spend.NONE);
        return Answer.ok(200, KeysJson.one(key, null, new KeysJson.PeriodSpend(period, start, spend)));
    }

    private Answer patch(long id, ObjectNode body, Exchange exchange) throws Exception {
        ClientKey key = store().get(id);
        if (key == null) {
            return Answer.error(notFound());
        }
        if (key.isRevoked()) {
            return Answer.error(revoked());
        }
        KeySettings settings;
        try {
            settings = KeyRequest.patch(key.settings(), body);
        } catch (KeyRequest.Invalid e) {
            return Answer.error(e.error);
        }
        ClientKey updated = store().update(id, settings, now());
        if (updated == null) {
            return Answer.error(notFound());
        }
        keys.directory().changed(updated);
        log.info("admin: client key {} changed (request {})", id, exchange.requestId());
        return Answer.ok(200, KeysJson.one(updated, null, null));
    }

    private Answer revoke(long id, Exchange exchange) throws Exception {
        ClientKey key = store().revoke(id, now());
        if (key == null) {
            return Answer.error(notFound());
        }
        keys.directory().changed(key);
        log.info("admin: client key {} revoked (request {})", id, exchange.requestId());
        return Answer.ok(200, KeysJson.one(key, null, null));
    }

    private Answer rotate(long id, long graceSeconds, Exchange exchange) throws Exception {
        ClientKey key = store().get(id);
        if (key == null) {
            return Answer.error(notFound());
        }
        if (key.isRevoked()) {
            return Answer.error(revoked());
        }
        NewSecret secret = NewSecret.generate();
        Instant now = now();
        ClientKey rotated = store().rotate(
                        id,
                        secret.hash(),
                        secret.prefix(),
                        graceSeconds == 0 ? null : now.plusSeconds(graceSeconds),
                        now);
        if (rotated == null) {
            return Answer.error(notFound());
        }
        keys.directory().changed(rotated);
        log.info(
                "admin: client key {} rotated, old secret valid {} s more (request {})",
                id,
                graceSeconds,
                exchange.requestId());
        return Answer.ok(200, KeysJson.one(rotated, secret.key(), null));
    }

    private KeyStore store() {
        return keys.store();
    }

    /** Milliseconds: what both databases keep, so an answer and a later read agree. */
    private Instant now() {
        return keys.directory().clock().instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static ApiError notFound() {
        return new ApiError(404, ApiError.INVALID_REQUEST, "key_not_found", null, "No API key has this id.");
    }

    private static ApiError revoked() {
        return new ApiError(
                409, ApiError.INVALID_REQUEST, "key_revoked", null, "The key is revoked; it can no longer be changed.");
    }

    /** A key id (a positive decimal number), or null. */
    private static Long id(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        return Long.parseLong(s);
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }
}
