package io.aigw.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ClientApi;
import io.aigw.core.keys.ClientKey;
import io.aigw.core.keys.KeyStore;
import io.aigw.core.log.LogQuery;
import io.aigw.core.log.LogRow;
import io.aigw.core.log.LogRowJson;
import io.aigw.core.log.LogStore;
import io.aigw.core.log.RequestLog;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/logs?since=&until=&model=&status=&key_hash=&key_id=&endpoint_prefix=&client_api=&limit=}: recent request-log rows,
 * newest first. The query is JDBC, so it runs on the admin executor and only the answer comes back to
 * the event loop.
 */
public final class AdminLogsEndpoint implements Endpoint {
    public static final String PATH = "/admin/logs";
    private static final Logger log = LoggerFactory.getLogger(AdminLogsEndpoint.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    /** The request log's {@code client_api} values. */
    private static final List<String> CLIENT_APIS =
            Arrays.stream(ClientApi.values()).map(ClientApi::wireName).toList();

    private static final int DEFAULT_LIMIT = 100;

    private final RequestLog requestLog;
    private final ExecutorService queries;
    /** The database keys, for {@code key_id}; null when {@code keys.store} is off. */
    private final KeyStore keys;

    public AdminLogsEndpoint(RequestLog requestLog, ExecutorService queries) {
        this(requestLog, queries, null);
    }

    public AdminLogsEndpoint(RequestLog requestLog, ExecutorService queries, KeyStore keys) {
        this.requestLog = requestLog;
        this.queries = queries;
        this.keys = keys;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        String uri = request.uri();
        request.release();
        Map<String, List<String>> params;
        try {
            params = new QueryStringDecoder(uri).parameters();
        } catch (IllegalArgumentException e) {
            Responses.sendError(
                    ctx, ApiError.badRequest("invalid_url", null, "The query string is not validly percent-encoded."));
            return;
        }
        LogStore store = requestLog.readableStore();
        if (store == null) {
            Responses.sendError(
                    ctx,
                    new ApiError(
                            404,
                            ApiError.INVALID_REQUEST,
                            "request_log_unavailable",
                            null,
                            "The request log cannot be read back: request_log.store is "
                                    + requestLog.config().store().name().toLowerCase(Locale.ROOT) + "."));
            return;
        }
        LogQuery query;
        Long keyId;
        try {
            query = query(params);
            keyId = keyId(params, query, keys != null);
        } catch (BadParam e) {
            Responses.sendError(ctx, ApiError.badRequest("invalid_value", e.param, e.getMessage()));
            return;
        }
        try {
            queries.execute(() -> {
                byte[] body = null;
                ApiError error = null;
                try {
                    LogQuery q = keyId == null ? query : byKey(query, keys.get(keyId));
                    if (q == null) {
                        error = new ApiError(
                                404, ApiError.INVALID_REQUEST, "key_not_found", "key_id", "No key has that id.");
                    } else {
                        body = render(store.query(q));
                    }
                } catch (Exception e) {
                    log.warn("request {}: reading the request log failed: {}", exchange.requestId(), e.toString());
                    body = null;
                    error = ApiError.unavailable("request_log_unavailable", "The request log store did not answer.");
                }
                byte[] ok = body;
                ApiError failed = error;
                ctx.executor().execute(() -> {
                    if (failed != null) {
                        Responses.sendError(ctx, failed);
                    } else {
                        Responses.sendJson(ctx, 200, ok);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            Responses.sendError(ctx, ApiError.unavailable("shutting_down", "The proxy is stopping."));
        }
    }

    static LogQuery query(Map<String, List<String>> params) {
        Instant since = instant(params, "since");
        Instant until = instant(params, "until");
        Integer status = null;
        String st = one(params, "status");
        if (st != null) {
            try {
                status = Integer.parseInt(st);
            } catch (NumberFormatException e) {
                throw new BadParam("status", "expected an HTTP status code");
            }
        }
        String keyHash = one(params, "key_hash");
        if (keyHash != null) {
            keyHash = keyHash.toLowerCase(Locale.ROOT).startsWith("sha256:") ? keyHash.substring(7) : keyHash;
            keyHash = keyHash.toLowerCase(Locale.ROOT);
            if (!HEX64.matcher(keyHash).matches()) {
                throw new BadParam("key_hash", "expected the key's SHA-256 as 64 hex digits");
            }
        }
        int limit = DEFAULT_LIMIT;
        String l = one(params, "limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > LogQuery.MAX_LIMIT) {
                throw new BadParam("limit", "expected 1 to " + LogQuery.MAX_LIMIT);
            }
        }
        String clientApi = one(params, "client_api");
        if (clientApi != null && !CLIENT_APIS.contains(clientApi)) {
            throw new BadParam("client_api", "expected one of " + String.join(", ", CLIENT_APIS));
        }
        String endpoint = one(params, "endpoint_prefix");
        if (endpoint != null && (endpoint.charAt(0) != '/' || endpoint.length() > 200)) {
            throw new BadParam("endpoint_prefix", "expected the start of a path, such as /v1/");
        }
        return new LogQuery(since, one(params, "model"), status, keyHash, limit, clientApi, until, endpoint);
    }

    /**
     * {@code key_id}: a database key's rows, by its current hash (the console picks keys by id; the
     * keys API does not show hashes). Rows made with a secret rotated away are not among them.
     */
    static Long keyId(Map<String, List<String>> params, LogQuery query, boolean keysOn) {
        String id = one(params, "key_id");
        if (id == null) {
            return null;
        }
        if (!keysOn) {
            throw new BadParam("key_id", "key_id needs database keys (keys.store: database)");
        }
        if (query.keyHash() != null) {
            throw new BadParam("key_id", "give key_id or key_hash, not both");
        }
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new BadParam("key_id", "expected a key's id");
        }
    }

    /** The query narrowed to {@code key}'s current hash, or null when there is no such key. */
    private static LogQuery byKey(LogQuery q, ClientKey key) {
        return key == null
                ? null
                : new LogQuery(
                        q.since(),
                        q.model(),
                        q.status(),
                        key.hash().hex(),
                        q.limit(),
                        q.clientApi(),
                        q.until(),
                        q.endpointPrefix());
    }

    /** An ISO-8601 instant or epoch milliseconds, or null when absent. */
    private static Instant instant(Map<String, List<String>> params, String name) {
        String s = one(params, name);
        if (s == null) {
            return null;
        }
        try {
            return s.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(s)) : Instant.parse(s);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new BadParam(name, "expected an ISO-8601 instant (2026-11-23T17:00:00Z) or epoch milliseconds");
        }
    }

    /** A query parameter the client got wrong: answered as a 400 naming it. */
    static final class BadParam extends IllegalArgumentException {
        final String param;

        BadParam(String param, String message) {
            super(message);
            this.param = param;
        }
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        // The last value given counts, so it is the one whose emptiness means "no filter".
        String last = values == null || values.isEmpty() ? null : values.get(values.size() - 1);
        return last == null || last.isEmpty() ? null : last;
    }

    static byte[] render(List<LogRow> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 + rows.size() * 512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (LogRow r : rows) {
                LogRowJson.write(g, r);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
