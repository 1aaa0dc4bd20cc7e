package io.aigw.server.http;

import io.aigw.core.config.RequestLogConfig.Bodies;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ClientApi;
import io.aigw.core.log.CaptureSettings;
import io.aigw.core.log.ExchangeRecord;
import io.aigw.core.log.RequestLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import java.util.function.Supplier;

/**
 * Gathers what only {@link ExchangeStartHandler} sees of an exchange for its request-log record:
 * the request's allow-listed headers and (bounded) body at the start, the (bounded) response body on
 * the way out. The exchange's other facts are filled in at completion by {@link RequestLogListener}.
 * Copies are bounded byte arrays; parsing, redaction and rendering happen later on the writer
 * thread. One per connection, on its event loop.
 *
 * <p>What is kept (bodies, their cap) and how it is later redacted are the {@link CaptureSettings}
 * of the runtime the exchange started with, resolved once at its start and carried by its record:
 * a reload changes them for the exchanges that start after it, never for one under way.
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
            "anthropic-version", // which Messages API the client spoke, and which beta features it asked for
            "anthropic-beta",
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

    private static final AsciiString ANTHROPIC_BETA = ALLOWED[HEADER_ALLOW_LIST.indexOf("anthropic-beta")];
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    private static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
    private static final int ERROR_BYTES = 8 * 1024;
    static final int CLIENT_CLOSED = 499;

    private final RequestLog log;
    /** The newest runtime, for a request refused before it became an exchange; null: only {@link #fixed}. */
    private final Supplier<? extends ExchangeRuntime> runtimes;
    /** The log's own settings, for exchanges without a runtime (tests); made when first needed. */
    private CaptureSettings fixed;

    private boolean clientIpKnown;
    private String clientIp;

    RecordCapture(RequestLog log) {
        this(log, null);
    }

    /** Each exchange is captured under the settings of the runtime it started with. */
    RecordCapture(RequestLog log, Supplier<? extends ExchangeRuntime> runtimes) {
        this.log = log;
        this.runtimes = runtimes;
    }

    /** Null when the log is off: then nothing is gathered at all. */
    ExchangeRecord start(Exchange exchange, FullHttpRequest request, Channel channel) {
        // Once per exchange: every later write reads the record's own settings, a reload notwithstanding.
        CaptureSettings settings = settings(exchange.runtime());
        Bodies bodies = settings.bodies();
        if (bodies == null || ProbePaths.isProbe(exchange.path())) {
            return null; // a health check every few seconds is not traffic worth a row
        }
        ExchangeRecord r = record(exchange.requestId(), request, exchange.path(), channel, settings);
        r.traceId = exchange.traceContext().traceId();
        if (bodies == Bodies.FULL) {
            int maxBody = settings.maxBodyBytes();
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
        CaptureSettings settings = settings(runtimes == null ? null : runtimes.get());
        if (settings.bodies() == null) {
            return;
        }
        ExchangeRecord r = record(requestId, request, path, channel, settings);
        HttpHeaders h = request.headers();
        r.traceId = io.aigw.server.exchange.TraceContext.of(h.get(TRACEPARENT), h.get(TRACESTATE))
                .traceId();
        r.statusCode = error.status();
        r.error = error.code() + ": " + error.message();
        r.totalNanos = 0; // answered at once, before any of the body was waited for
        log.offer(r);
    }

    /** The settings of {@code runtime}, or the log's own when there is none. */
    private CaptureSettings settings(ExchangeRuntime runtime) {
        if (runtime != null) {
            return runtime.logCapture();
        }
        CaptureSettings f = fixed;
        if (f == null) {
            f = CaptureSettings.of(log.config());
            fixed = f;
        }
        return f;
    }

    private ExchangeRecord record(
            String requestId, HttpRequest request, String path, Channel channel, CaptureSettings settings) {
        ExchangeRecord r = new ExchangeRecord();
        r.capture = settings;
        r.tsEpochMillis = System.currentTimeMillis();
        r.requestId = requestId;
        r.method = request.method().name();
        r.endpoint = path;
        // The exchange's own is set at completion; a request refused before it was one keeps this.
        r.clientApi = clientApi(path, ClientApi.ofPath(path));
        r.clientIp = clientIp(channel);
        HttpHeaders h = request.headers();
        if (settings.bodies() != Bodies.OFF) {
            for (AsciiString name : ALLOWED) {
                String value = h.get(name);
                if (value == null) {
                    continue;
                }
                if (name == ANTHROPIC_BETA) {
                    // Sent as several headers as often as as one list; the row joins them.
                    for (String each : h.getAll(name)) {
                        r.requestHeaders.add(name.toString());
                        r.requestHeaders.add(each);
                    }
                } else {
                    r.requestHeaders.add(name.toString());
                    r.requestHeaders.add(value);
                }
            }
        }
        return r;
    }

    /**
     * The row's {@code client_api}: the API of a model endpoint ({@code /v1/...}); null for the
     * gateway's own paths ({@code /admin/...}, {@code /metrics}), which no client API serves.
     */
    static String clientApi(String path, ClientApi api) {
        return path != null && path.startsWith("/v1/") ? api.wireName() : null;
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
    void onWrite(ExchangeRecord r, Object msg) {
        if (msg instanceof HttpResponse response) {
            r.statusCode = response.status().code(); // how much of the body to keep depends on it
        }
        if (msg instanceof HttpContent content && content.content().isReadable()) {
            // An admin answer (a page of earlier rows, say) is not worth a row's body; its error still is.
            CaptureSettings settings = r.capture; // the exchange's, resolved at its start
            boolean keepBody = settings.keepsBodies() && !r.endpoint.startsWith("/admin/");
            int cap = keepBody ? settings.maxBodyBytes() : r.statusCode >= 400 ? ERROR_BYTES : 0;
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
}
