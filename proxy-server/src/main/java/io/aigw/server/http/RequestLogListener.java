package io.aigw.server.http;

import io.aigw.adapters.openai.CompletionFacts;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.Usage;
import io.aigw.core.log.ExchangeRecord;
import io.aigw.core.log.RequestLog;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeListener;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * The request log as an exchange listener: at completion it fills the exchange's record from the
 * exchange's facts (client API, route, attempts, status, error, usage, times, trace id) and hands it
 * to the log.
 * The record itself, with its bounded body copies, was started by {@link RecordCapture}; an exchange
 * without one (log off, {@code /health}) costs nothing here. Whether bodies are kept is the record's
 * own {@link io.aigw.core.log.CaptureSettings}: those of the runtime the exchange started with.
 *
 * <p>With {@code durability: wal} the record carries the exchange's held last write along, which
 * the log releases once the record is on disk.
 */
public final class RequestLogListener implements ExchangeListener {
    private final RequestLog log;

    public RequestLogListener(RequestLog log) {
        this.log = log;
    }

    @Override
    public void completed(Exchange e) {
        ExchangeRecord r = e.record();
        if (r == null) {
            return;
        }
        e.record(null); // handed over now, once
        r.clientApi = RecordCapture.clientApi(r.endpoint, e.clientApi()); // also picks the stream's assembler
        r.model = e.requestedModel();
        r.stream = e.stream();
        Attempt last = e.lastAttempt();
        if (last != null) {
            r.provider = last.provider();
            r.modelResolved = last.modelId();
            r.attempts = e.attempts().size();
            if (last.lastByteNanos() >= 0) {
                r.providerNanos = last.lastByteNanos() - last.startNanos();
            }
        }
        r.statusCode = e.statusCode();
        r.totalNanos = e.endNanos() - e.startNanos();
        if (e.firstByteToClientNanos() >= 0) {
            r.ttftNanos = e.firstByteToClientNanos() - e.startNanos();
        }
        Usage usage = e.usage();
        if (usage.isKnown()) {
            r.promptTokens = usage.promptTokens();
            r.completionTokens = usage.completionTokens();
            r.totalTokens = usage.totalTokens();
            r.cachedTokens = usage.cachedTokens();
        }
        r.costUsd = e.costUsd();
        if (e.traceContext() != null) {
            r.traceId = e.traceContext().traceId();
        }
        if (e.keyHash() != null) {
            r.apiKeyHash = e.keyHash().hex();
        }
        ApiError error = e.error();
        if (error != null) {
            r.error = error.code() + ": " + error.message();
        } else if (e.clientClosed()) {
            r.error = "client_closed: the client closed the connection before the answer was complete";
        }
        if (r.responseBody != null && r.responseBody.length != r.responseLength) {
            r.responseBody = Arrays.copyOf(r.responseBody, r.responseLength);
        }
        if (r.statusCode >= 400 && r.error == null && r.responseBody != null) {
            // A provider's own error answer, passed through: named from the bounded copy of its body.
            r.error = CompletionFacts.errorSummary(Unpooled.wrappedBuffer(r.responseBody));
        }
        // The settings the exchange started with: a reload to metadata does not strip a stream under way.
        if (!r.capture.keepsBodies() || r.endpoint.startsWith("/admin/")) {
            r.responseBody = null; // only kept this far to name the error
            r.responseTruncated = false;
        }
        r.onDurable = e.afterDurable();
        e.afterDurable(null);
        log.offer(r);
    }
}
