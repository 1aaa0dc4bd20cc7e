package io.aigw.server.http;

import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.core.config.RequestLogConfig;
import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.error.ApiError;
import io.aigw.core.log.ExchangeRecord;
import io.aigw.core.log.RequestLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Gathers one exchange's record for the request log as the exchange passes through
 * {@link ExchangeStartHandler}: the request's facts and allow-listed headers at the start, the
 * response's status, time to first byte and (bounded) body on the way out. Copies are bounded
 * byte arrays; parsing, redaction and rendering happen later on the writer thread. One per
 * connection, on its event loop.
 */
final class RecordCapture {
    /** Never a credential: Authorization, api-key, x-api-key and cookies are not on the list. */
    static final List<String> HEADER_ALLOW_LIST = List.of(
            "content-type",
            "content-length",
            "accept",
            "user-agent",
            "x-request-id",
            "openai-organization",
            "openai-project",
            "openai-beta",
            "x-stainless-lang",
            "x-stainless-package-version",
            "x-stainless-os",
            "x-stainless-arch",
            "x-stainless-runtime",
            "x-stainless-runtime-version",
            "x-stainless-retry-count",
            "traceparent",
            "tracestate");
    /** As AsciiStrings: a header map hashes and compares those without decoding. */
    private static final AsciiString[] ALLOWED =
            HEADER_ALLOW_LIST.stream().map(AsciiString::cached).toArray(AsciiString[]::new);

    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    private static final int ERROR_BYTES = 8 * 1024;
    static final int CLIENT_CLOSED = 499;

    private final RequestLog log;
    private final Bodies bodies;
    private final int maxBody;
    private boolean clientIpKnown;
    private String clientIp;

    RecordCapture(RequestLog log) {
        this.log = log;
        RequestLogConfig c = log.config();
        this.bodies = c.store() == RequestLogConfig.Store.OFF ? null : c.bodies();
        this.maxBody = c.maxBodyBytes();
    }

    /** Null when the log is off: then nothing is gathered at all. */
    ExchangeRecord start(Exchange exchange, FullHttpRequest request, Channel channel) {
        if (bodies == null || ProbePaths.isProbe(exchange.path())) {
            return null; // a health check every few seconds is not traffic worth a row
        }
        ExchangeRecord r = record(exchange.requestId(), request, exchange.path(), channel);
        if (bodies == Bodies.FULL) {
            r.responseCapture = r.endpoint.startsWith("/admin/") ? 0 : maxBody;
            ByteBuf body = request.content();
            int n = Math.min(body.readableBytes(), maxBody);
            r.requestBody = ByteBufUtil.getBytes(body, body.readerIndex(), n);
            r.requestTruncated = n < body.readableBytes();
        }
        return r;
    }

    /**
     * A request refused before it became an exchange (too large, malformed, an invalid URL): its row
     * holds what was read of it, the status and the error; no body was read, none is kept.
     */
    void rejected(HttpRequest request, String requestId, String path, ApiError error, Channel channel) {
        if (bodies == null) {
            return;
        }
        ExchangeRecord r = record(requestId, request, path, channel);
        r.statusCode = error.status();
        r.error = error.code() + ": " + error.message();
        r.totalNanos = 0; // answered at once, before any of the body was waited for
        log.offer(r);
    }

    private ExchangeRecord record(String requestId, HttpRequest request, String path, Channel channel) {
        ExchangeRecord r = new ExchangeRecord();
        r.tsEpochMillis = System.currentTimeMillis();
        r.requestId = requestId;
        r.method = request.method().name();
        r.endpoint = path;
        r.clientIp = clientIp(channel);
        HttpHeaders h = request.headers();
        r.traceId = traceId(h.get(TRACEPARENT));
        if (bodies != Bodies.OFF) {
            for (AsciiString name : ALLOWED) {
                String value = h.get(name);
                if (value != null) {
                    r.requestHeaders.add(name.toString());
                    r.requestHeaders.add(value);
                }
            }
        }
        return r;
    }

    /** Formatted once per connection: the address does not change between its requests. */
    private String clientIp(Channel channel) {
        if (!clientIpKnown) {
            clientIpKnown = true;
            clientIp = channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                    ? a.getAddress().getHostAddress()
                    : null;
        }
        return clientIp;
    }

    /** On every write of the exchange's response (head and content). */
    void onWrite(ExchangeRecord r, long startNanos, Object msg) {
        if (msg instanceof HttpResponse response) {
            r.statusCode = response.status().code();
        }
        if (msg instanceof HttpContent content && content.content().isReadable()) {
            if (r.ttftNanos < 0) {
                r.ttftNanos = System.nanoTime() - startNanos;
            }
            // An admin answer (a page of earlier rows, say) is not worth a row's body; its error still is.
            boolean keepBody = bodies == Bodies.FULL && !r.endpoint.startsWith("/admin/");
            int cap = keepBody ? maxBody : r.statusCode >= 400 ? ERROR_BYTES : 0;
            if (cap > 0) {
                append(r, content.content(), cap);
            }
        }
    }

    /** Grows the copy by doubling: a stream of small chunks must not cost a copy of the whole body per chunk. */
    static void append(ExchangeRecord r, ByteBuf data, int cap) {
        int have = r.responseLength;
        int room = cap - have;
        if (room <= 0) {
            r.responseTruncated |= data.isReadable();
            return;
        }
        int n = Math.min(room, data.readableBytes());
        int capacity = r.responseBody == null ? 0 : r.responseBody.length;
        if (capacity < have + n) {
            int size = (int) Math.min(cap, Math.max(have + n, Math.max(256L, 2L * capacity)));
            r.responseBody = r.responseBody == null ? new byte[size] : Arrays.copyOf(r.responseBody, size);
        }
        data.getBytes(data.readerIndex(), r.responseBody, have, n);
        r.responseLength = have + n;
        r.responseTruncated |= n < data.readableBytes();
    }

    /** The exchange is over (answered, or the client left): the record goes to the writer. */
    void finish(ExchangeRecord r, Exchange exchange, boolean clientLeft) {
        finish(r, exchange, clientLeft, null);
    }

    /** As {@link #finish(ExchangeRecord, Exchange, boolean)}; {@code onDurable} runs once it is on disk. */
    void finish(ExchangeRecord r, Exchange exchange, boolean clientLeft, Runnable onDurable) {
        r.totalNanos = System.nanoTime() - exchange.startNanos();
        if (r.responseBody != null && r.responseBody.length != r.responseLength) {
            r.responseBody = Arrays.copyOf(r.responseBody, r.responseLength);
        }
        if (exchange.keyHash() != null) {
            r.apiKeyHash = exchange.keyHash().hex();
        }
        if (clientLeft) {
            if (r.statusCode == 0) {
                r.statusCode = CLIENT_CLOSED;
            }
            if (r.error == null) {
                r.error = "client_closed: the client closed the connection before the answer was complete";
            }
        }
        if (r.statusCode >= 400 && r.error == null && r.responseBody != null) {
            r.error = CompletionFacts.errorSummary(Unpooled.wrappedBuffer(r.responseBody));
        }
        if (bodies != Bodies.FULL || r.endpoint.startsWith("/admin/")) {
            r.responseBody = null; // only kept this far to name the error
            r.responseTruncated = false;
        }
        r.onDurable = onDurable;
        log.offer(r);
    }

    /** The trace id of a W3C {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}), or null. */
    static String traceId(String traceparent) {
        if (traceparent == null
                || traceparent.length() < 55
                || traceparent.charAt(2) != '-'
                || traceparent.charAt(35) != '-') {
            return null;
        }
        String id = traceparent.substring(3, 35);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return null;
            }
        }
        return id.equals("00000000000000000000000000000000") ? null : id;
    }
}
