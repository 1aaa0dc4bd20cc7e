package io.aigw.server.trace;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.Usage;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.http.Exchange;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A completed, sampled exchange as its spans will say it: the facts copied by reference from the
 * {@link Exchange} on the event loop at completion (a few dozen field reads, one array), then encoded
 * to OTLP on the exporter thread. Building spans at the end rather than along the way is what keeps
 * tracing off the event loop: no span objects, attribute maps or locks while the exchange runs.
 */
final class TracedExchange {
    final String traceId;
    /** The client's span when its {@code traceparent} was valid, else null (the trace starts here). */
    final String parentSpanId;

    final String traceState;
    /** The SERVER span's id, drawn here: nothing before the end needs it (attempts carry their own ids). */
    final long spanId;

    final String method;
    final String path;
    final String requestId;
    final long startNanos;
    final long endNanos;
    final int statusCode;
    final boolean clientClosed;
    final ApiError error;
    final ApiEndpoint endpoint;
    final String requestedModel;
    final String routeName;
    final boolean stream;
    final long maxTokens;
    final double temperature;
    final Usage usage;
    final String finishReason;
    final String capturedInput;
    final String capturedOutput;
    final TracedAttempt[] attempts;

    TracedExchange(Exchange ex, long endNanos) {
        TraceContext trace = ex.traceContext();
        traceId = trace.traceId();
        parentSpanId = trace.parentSpanId();
        traceState = trace.traceState();
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        spanId = id;
        method = ex.method().name();
        path = ex.path();
        requestId = ex.requestId();
        startNanos = ex.startNanos();
        this.endNanos = endNanos;
        statusCode = ex.statusCode();
        clientClosed = ex.clientClosed();
        error = ex.error();
        endpoint = ex.endpoint();
        requestedModel = ex.requestedModel();
        routeName = ex.routeName();
        stream = ex.stream();
        maxTokens = ex.requestMaxTokens();
        temperature = ex.requestTemperature();
        usage = ex.usage();
        finishReason = ex.finishReason();
        capturedInput = ex.capturedInput();
        capturedOutput = ex.capturedOutput();
        List<Attempt> list = ex.attempts();
        attempts = new TracedAttempt[list.size()];
        for (int i = 0; i < attempts.length; i++) {
            attempts[i] = new TracedAttempt(list.get(i));
        }
    }

    /** Spans this exchange makes: its SERVER span and one CLIENT span per attempt. */
    int spanCount() {
        return 1 + attempts.length;
    }
}
