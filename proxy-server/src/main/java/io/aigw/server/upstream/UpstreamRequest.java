package io.aigw.server.upstream;

import io.aigw.core.config.ProviderConfig;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.routing.KeyPool;
import io.aigw.server.dialect.Dialect;
import io.aigw.server.dialect.DialectCall;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the HTTP requests sent to one provider, as the bytes that go on the wire. Only the proxy's
 * own headers go upstream: the client's Authorization (and every other client header) stays behind;
 * the provider's key, in its dialect's header, and the configured extra headers are sent instead.
 *
 * <p>Everything but the length, the accept type, the key, the request id and the trace context is
 * fixed per provider, so it is rendered to bytes once here (request lines per model and endpoint,
 * the fixed headers, each key's header line); a request then costs one buffer and a few appends, not
 * a header map walked by Netty's encoder (that encoder was ~7% of the event loop in profiles).
 *
 * <p>Header order and bytes are those Netty's {@code HttpRequestEncoder} wrote for the header set
 * this class used to build: fixed headers, the call's own, content-length, accept, x-request-id,
 * the key, traceparent, tracestate. Header text is written as Netty writes it (a char to its low
 * byte, '?' past 255); the path as UTF-8.
 */
final class UpstreamRequest {
    private static final byte[] HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = bytes("content-length: ");
    private static final byte[] ACCEPT_STREAM = bytes("\r\naccept: text/event-stream\r\nx-request-id: ");
    private static final byte[] ACCEPT_JSON = bytes("\r\naccept: application/json\r\nx-request-id: ");
    private static final byte[] TRACEPARENT = bytes("traceparent: ");
    private static final byte[] TRACESTATE = bytes("tracestate: ");
    private static final short CRLF = ('\r' << 8) | '\n';

    /** Up to this size the body is copied behind the head (one buffer, one write); larger ones are not copied. */
    private static final int COPY_BODY_MAX = 16 * 1024;

    private static final ApiEndpoint[] ENDPOINTS = ApiEndpoint.values();

    /** The fixed headers as name/value pairs (a call with headers of its own renders from these). */
    private final CharSequence[] fixed;
    /** The same, rendered: {@code name: value\r\n} each. */
    private final byte[] fixedBytes;
    /** Each key of the provider's pool, by index, as its whole header line. */
    private final byte[][] keyLines;

    private final String basePath;
    private final Dialect dialect;
    /**
     * POST request lines by model id, then endpoint ordinal: Azure names the deployment in the path.
     * Filled lazily because the provider does not know which models route to it. Configured model
     * ids are few, but a wildcard route passes client-chosen names, so the cache is capped and past
     * the cap lines are simply rendered per request.
     */
    private final Map<String, byte[][]> linesByModel = new ConcurrentHashMap<>();

    private static final int MAX_CACHED_MODELS = 1024;

    UpstreamRequest(ProviderConfig provider, Dialect dialect) {
        List<CharSequence> h = new ArrayList<>();
        add(h, HttpHeaderNames.HOST, hostHeader(provider));
        add(h, HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        add(h, HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        add(h, HttpHeaderNames.USER_AGENT, "aigw/0.1");
        h.addAll(dialect.fixedHeaders(provider));
        for (Map.Entry<String, String> e : provider.headers().entrySet()) {
            add(h, e.getKey(), e.getValue());
        }
        fixed = h.toArray(new CharSequence[0]);
        fixedBytes = render(fixed);
        CharSequence keyHeader = dialect.keyHeader();
        keyLines = new byte[provider.apiKeys().size()][];
        for (int i = 0; i < keyLines.length; i++) {
            keyLines[i] = render(new CharSequence[] {
                keyHeader, dialect.keyValue(provider.apiKeys().get(i))
            });
        }
        basePath = provider.baseUrl().getRawPath();
        this.dialect = dialect;
    }

    /** The path {@code endpoint} has for {@code modelId} on this provider (base path included). */
    String path(ApiEndpoint endpoint, String modelId) {
        return basePath + dialect.path(endpoint, modelId);
    }

    /** {@code POST <path> HTTP/1.1\r\n} for the endpoint and model, rendered once per pair. */
    private byte[] postLine(ApiEndpoint endpoint, String modelId) {
        byte[][] lines = linesByModel.get(modelId); // the lock-free read is the common case
        if (lines == null) {
            lines = linesByModel.size() < MAX_CACHED_MODELS
                    ? linesByModel.computeIfAbsent(modelId, this::postLines)
                    : postLines(modelId);
        }
        return lines[endpoint.ordinal()];
    }

    private byte[][] postLines(String modelId) {
        byte[][] lines = new byte[ENDPOINTS.length][];
        for (ApiEndpoint endpoint : ENDPOINTS) {
            lines[endpoint.ordinal()] = requestLine(HttpMethod.POST, path(endpoint, modelId));
        }
        return lines;
    }

    /** Without trace context (tests of other headers). */
    ByteBuf build(
            ByteBufAllocator alloc,
            ApiEndpoint endpoint,
            String modelId,
            ByteBuf body,
            boolean stream,
            String requestId,
            KeyPool.Key key) {
        return build(alloc, endpoint, modelId, body, stream, requestId, key, null, null);
    }

    /**
     * The POST of {@code body} to {@code endpoint}, head and body. Takes ownership of {@code body};
     * {@code key} is null for a provider without keys. The attempt's {@code traceparent} (and the
     * client's {@code tracestate}) go along when given, tracing on or off.
     */
    ByteBuf build(
            ByteBufAllocator alloc,
            ApiEndpoint endpoint,
            String modelId,
            ByteBuf body,
            boolean stream,
            String requestId,
            KeyPool.Key key,
            String traceparent,
            String tracestate) {
        return build(
                alloc,
                postLine(endpoint, modelId),
                fixedBytes,
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
    ByteBuf build(
            ByteBufAllocator alloc,
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
        ApiEndpoint to = upstream != null ? upstream : endpoint;
        HttpMethod method = call.method();
        byte[] line;
        if (own != null) {
            line = requestLine(method, basePath + own);
        } else if (HttpMethod.POST.equals(method)) {
            line = postLine(to, modelId);
        } else {
            line = requestLine(method, path(to, modelId));
        }
        List<CharSequence> callHeaders = call.headers();
        byte[] base = callHeaders.isEmpty() ? fixedBytes : render(without(fixed, callHeaders));
        return build(alloc, line, base, callHeaders, body, stream, requestId, key, traceparent, tracestate);
    }

    private ByteBuf build(
            ByteBufAllocator alloc,
            byte[] line,
            byte[] base,
            List<CharSequence> callHeaders,
            ByteBuf body,
            boolean stream,
            String requestId,
            KeyPool.Key key,
            String traceparent,
            String tracestate) {
        int bodyBytes = body.readableBytes();
        byte[] keyLine = key == null ? null : keyLines[key.index()];
        // Exact for ASCII text; a longer value is still fine (the buffer grows), just not presized.
        int size = line.length
                + base.length
                + CONTENT_LENGTH.length
                + 10
                + ACCEPT_STREAM.length
                + requestId.length()
                + 2
                + (keyLine == null ? 0 : keyLine.length)
                + (traceparent == null ? 0 : TRACEPARENT.length + traceparent.length() + 2)
                + (tracestate == null ? 0 : TRACESTATE.length + tracestate.length() + 2)
                + 2;
        for (int i = 0; i < callHeaders.size(); i += 2) {
            size += callHeaders.get(i).length() + callHeaders.get(i + 1).length() + 4;
        }
        boolean copy = bodyBytes <= COPY_BODY_MAX;
        ByteBuf head = alloc.buffer(copy ? size + bodyBytes : size);
        try {
            head.writeBytes(line).writeBytes(base);
            for (int i = 0; i < callHeaders.size(); i += 2) {
                header(head, callHeaders.get(i), callHeaders.get(i + 1));
            }
            head.writeBytes(CONTENT_LENGTH);
            head.writeCharSequence(Integer.toString(bodyBytes), StandardCharsets.US_ASCII);
            // Values were validated when the config was loaded (a call's own headers by its dialect);
            // request ids are filtered by RequestIds.
            head.writeBytes(stream ? ACCEPT_STREAM : ACCEPT_JSON);
            head.writeCharSequence(requestId, StandardCharsets.US_ASCII);
            head.writeShort(CRLF);
            if (keyLine != null) {
                head.writeBytes(keyLine);
            }
            if (traceparent != null) {
                head.writeBytes(TRACEPARENT);
                head.writeCharSequence(traceparent, StandardCharsets.US_ASCII);
                head.writeShort(CRLF);
            }
            if (tracestate != null) {
                head.writeBytes(TRACESTATE);
                head.writeCharSequence(tracestate, StandardCharsets.US_ASCII);
                head.writeShort(CRLF);
            }
            head.writeShort(CRLF);
            if (copy) {
                head.writeBytes(body, body.readerIndex(), bodyBytes);
                return head;
            }
            return Unpooled.wrappedBuffer(head, body.retain());
        } catch (RuntimeException e) {
            head.release();
            throw e;
        } finally {
            body.release();
        }
    }

    /** {@code METHOD path HTTP/1.1\r\n}, the path as UTF-8 (as Netty's encoder writes it; "/" if empty). */
    private static byte[] requestLine(HttpMethod method, String path) {
        String uri = path.isEmpty() ? "/" : path;
        byte[] m = method.asciiName().toByteArray();
        byte[] u = uri.getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[m.length + 1 + u.length + HTTP_1_1_CRLF.length];
        System.arraycopy(m, 0, line, 0, m.length);
        line[m.length] = ' ';
        System.arraycopy(u, 0, line, m.length + 1, u.length);
        System.arraycopy(HTTP_1_1_CRLF, 0, line, m.length + 1 + u.length, HTTP_1_1_CRLF.length);
        return line;
    }

    /** {@code name: value\r\n} per pair, each char written as Netty writes header text. */
    private static byte[] render(CharSequence[] pairs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            s.append(pairs[i]).append(": ").append(pairs[i + 1]).append("\r\n");
        }
        return new AsciiString(s).toByteArray();
    }

    private static void header(ByteBuf to, CharSequence name, CharSequence value) {
        to.writeCharSequence(name, StandardCharsets.US_ASCII);
        to.writeByte(':').writeByte(' ');
        to.writeCharSequence(value, StandardCharsets.US_ASCII);
        to.writeShort(CRLF);
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
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
