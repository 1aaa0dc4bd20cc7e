package io.aigw.server.trace;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.Usage;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.ExchangeListener;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.ProbePaths;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turns each exchange into one SERVER span and each of its upstream attempts into a CLIENT span
 * under it, named and attributed by the OpenTelemetry GenAI semantic conventions. Spans carry the
 * exchange's own times, read as {@link System#nanoTime()} and moved to the epoch by one offset taken
 * at start, so a span costs no clock call of its own.
 *
 * <p>An exchange the sampler drops gets a non-recording SERVER span (its context is still passed on)
 * and no attempt spans. Message content goes into the SERVER span only with {@code capture_content: true}.
 */
public final class TracingListener implements ExchangeListener {
    /** Opt-in content (GenAI conventions), only with {@code tracing.capture_content: true}. */
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");

    static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("aigw.request_id");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("aigw.route");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("aigw.attempts");
    static final AttributeKey<Boolean> CLIENT_CLOSED = AttributeKey.booleanKey("aigw.client_closed");
    static final AttributeKey<Long> ATTEMPT_NUMBER = AttributeKey.longKey("aigw.attempt.number");
    static final AttributeKey<String> ATTEMPT_OUTCOME = AttributeKey.stringKey("aigw.attempt.outcome");
    static final AttributeKey<String> DEPLOYMENT = AttributeKey.stringKey("aigw.deployment");
    static final AttributeKey<String> PREVIOUS_OUTCOME = AttributeKey.stringKey("aigw.previous.outcome");
    static final AttributeKey<String> PREVIOUS_ERROR = AttributeKey.stringKey("aigw.previous.error.type");
    static final AttributeKey<Long> KEY_INDEX = AttributeKey.longKey("aigw.key_index");

    /** Event on the SERVER span when an attempt follows another on the same deployment. */
    static final String RETRY_EVENT = "aigw.retry";
    /** Event on the SERVER span when an attempt moves to another deployment. */
    static final String FAILOVER_EVENT = "aigw.failover";

    private final Tracer tracer;
    private final PinnedIds ids;
    private final int slot;
    private final long epochOffsetNanos;

    /**
     * @param slot this listener's state slot on exchanges and attempts
     */
    TracingListener(Tracer tracer, PinnedIds ids, int slot) {
        this.tracer = tracer;
        this.ids = ids;
        this.slot = slot;
        Instant now = Instant.now();
        this.epochOffsetNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    @Override
    public void started(Exchange exchange) {
        TraceContext trace = exchange.traceContext();
        if (trace == null || ProbePaths.isProbe(exchange.path())) {
            return; // a health probe every few seconds is not traffic worth a trace
        }
        Context parent = Context.root();
        if (trace.parentSpanId() != null) {
            parent = parent.with(Span.wrap(SpanContext.createFromRemoteParent(
                    trace.traceId(),
                    trace.parentSpanId(),
                    trace.sampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                    traceState(trace.traceState()))));
        } else {
            ids.pin(trace.traceId(), null);
        }
        Span span;
        try {
            span = tracer.spanBuilder(exchange.method().name() + " " + exchange.path())
                    .setParent(parent)
                    .setSpanKind(SpanKind.SERVER)
                    .setStartTimestamp(epoch(exchange.startNanos()), TimeUnit.NANOSECONDS)
                    .startSpan();
        } finally {
            ids.clear();
        }
        exchange.state(slot, span);
        boolean sampled = span.getSpanContext().isSampled();
        if (sampled != trace.sampled()) {
            // The sampler's decision is what the provider hears in traceparent's flags.
            exchange.traceContext(new TraceContext(trace.traceId(), trace.parentSpanId(), sampled, trace.traceState()));
        }
    }

    @Override
    public void attemptStarted(Exchange exchange, Attempt attempt) {
        Span server = exchange.state(slot);
        if (server == null || !server.isRecording()) {
            return;
        }
        String operation = operation(exchange.endpoint());
        long start = epoch(attempt.startNanos());
        Attempt previous = previous(exchange, attempt);
        if (previous != null) {
            boolean retry = previous.deployment().equals(attempt.deployment());
            server.addEvent(
                    retry ? RETRY_EVENT : FAILOVER_EVENT,
                    Attributes.of(
                            ATTEMPT_NUMBER,
                            (long) attempt.number(),
                            DEPLOYMENT,
                            attempt.deployment(),
                            PREVIOUS_OUTCOME,
                            outcome(previous),
                            PREVIOUS_ERROR,
                            errorType(previous)),
                    start,
                    TimeUnit.NANOSECONDS);
        }
        ids.pin(null, attempt.spanId());
        Span span;
        try {
            span = tracer.spanBuilder(operation + " " + attempt.modelId())
                    .setParent(Context.root().with(server))
                    .setSpanKind(SpanKind.CLIENT)
                    .setStartTimestamp(start, TimeUnit.NANOSECONDS)
                    .setAttribute(OPERATION, operation)
                    .setAttribute(PROVIDER, providerName(attempt.providerType()))
                    .setAttribute(REQUEST_MODEL, attempt.modelId())
                    .setAttribute(SERVER_ADDRESS, attempt.serverAddress())
                    .setAttribute(ATTEMPT_NUMBER, (long) attempt.number())
                    .setAttribute(DEPLOYMENT, attempt.deployment())
                    .setAttribute(KEY_INDEX, (long) attempt.keyIndex())
                    .startSpan();
        } finally {
            ids.clear();
        }
        attempt.state(slot, span);
    }

    @Override
    public void attemptEnded(Exchange exchange, Attempt attempt) {
        Span span = attempt.state(slot);
        if (span == null) {
            return;
        }
        attempt.state(slot, null); // ended once, even if the event came twice
        if (attempt.statusCode() > 0) {
            span.setAttribute(STATUS_CODE, attempt.statusCode());
        }
        span.setAttribute(ATTEMPT_OUTCOME, outcome(attempt));
        if (attempt.outcome() == Attempt.Outcome.FAILED) {
            span.setAttribute(ERROR_TYPE, errorType(attempt));
            span.setStatus(StatusCode.ERROR);
        } else if (attempt.outcome() == Attempt.Outcome.ANSWERED) {
            span.setAttribute(RESPONSE_MODEL, attempt.modelId());
            if (attempt.statusCode() >= 400) {
                span.setAttribute(ERROR_TYPE, Integer.toString(attempt.statusCode()));
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end(end(attempt.endNanos()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void completed(Exchange exchange) {
        Span span = exchange.state(slot);
        if (span == null) {
            return;
        }
        exchange.state(slot, null);
        // Attempts the exchange did not end (a cut) still close, at the exchange's end.
        long end = end(exchange.endNanos());
        for (Attempt a : exchange.attempts()) {
            Span open = a.state(slot);
            if (open != null) {
                a.state(slot, null);
                open.setAttribute(ATTEMPT_OUTCOME, "cancelled");
                open.end(end, TimeUnit.NANOSECONDS);
            }
        }
        if (span.isRecording()) {
            describe(span, exchange);
            // Set only with capture_content: true (nothing is captured otherwise).
            if (exchange.capturedInput() != null) {
                span.setAttribute(INPUT_MESSAGES, exchange.capturedInput());
            }
            if (exchange.capturedOutput() != null) {
                span.setAttribute(OUTPUT_MESSAGES, exchange.capturedOutput());
            }
        }
        span.end(end, TimeUnit.NANOSECONDS);
    }

    private void describe(Span span, Exchange exchange) {
        span.setAttribute(METHOD, exchange.method().name());
        span.setAttribute(PATH, exchange.path());
        span.setAttribute(REQUEST_ID, exchange.requestId());
        if (exchange.statusCode() > 0) {
            span.setAttribute(STATUS_CODE, exchange.statusCode());
        }
        if (exchange.clientClosed()) {
            span.setAttribute(CLIENT_CLOSED, true);
        }
        ApiError error = exchange.error();
        if (error != null) {
            span.setAttribute(ERROR_TYPE, error.code() != null ? error.code() : error.type());
        } else if (exchange.statusCode() >= 400) {
            span.setAttribute(ERROR_TYPE, Integer.toString(exchange.statusCode()));
        }
        if (exchange.statusCode() >= 500 || (error != null && error.status() >= 500)) {
            span.setStatus(StatusCode.ERROR);
        }
        ApiEndpoint endpoint = exchange.endpoint();
        if (endpoint == null) {
            return; // the gateway's own endpoints: an HTTP span, no GenAI attributes
        }
        String operation = operation(endpoint);
        String model = exchange.requestedModel();
        span.updateName(model == null ? operation : operation + " " + model);
        span.setAttribute(OPERATION, operation);
        if (model != null) {
            span.setAttribute(REQUEST_MODEL, model);
        }
        if (exchange.routeName() != null) {
            span.setAttribute(ROUTE, exchange.routeName());
        }
        span.setAttribute(STREAM, exchange.stream());
        if (exchange.requestMaxTokens() >= 0) {
            span.setAttribute(MAX_TOKENS, exchange.requestMaxTokens());
        }
        if (!Double.isNaN(exchange.requestTemperature())) {
            span.setAttribute(TEMPERATURE, exchange.requestTemperature());
        }
        Attempt last = exchange.lastAttempt();
        if (last != null) {
            span.setAttribute(PROVIDER, providerName(last.providerType()));
            span.setAttribute(SERVER_ADDRESS, last.serverAddress());
            span.setAttribute(ATTEMPTS, (long) exchange.attempts().size());
            if (last.outcome() == Attempt.Outcome.ANSWERED) {
                span.setAttribute(RESPONSE_MODEL, last.modelId());
            }
        }
        Usage usage = exchange.usage();
        if (usage.promptTokens() >= 0) {
            span.setAttribute(INPUT_TOKENS, usage.promptTokens());
        }
        if (usage.completionTokens() >= 0) {
            span.setAttribute(OUTPUT_TOKENS, usage.completionTokens());
        }
        if (exchange.finishReason() != null) {
            span.setAttribute(FINISH_REASONS, List.of(exchange.finishReason()));
        }
    }

    private static Attempt previous(Exchange exchange, Attempt attempt) {
        List<Attempt> attempts = exchange.attempts();
        for (int i = attempts.size() - 1; i >= 0; i--) {
            Attempt a = attempts.get(i);
            if (a != attempt && a.number() < attempt.number()) {
                return a;
            }
        }
        return null;
    }

    private long epoch(long nanoTime) {
        return nanoTime + epochOffsetNanos;
    }

    /** An end not stamped (-1) is now. */
    private long end(long nanoTime) {
        return epoch(nanoTime >= 0 ? nanoTime : System.nanoTime());
    }

    static String operation(ApiEndpoint endpoint) {
        if (endpoint == null) {
            return "chat";
        }
        return switch (endpoint) {
            case CHAT_COMPLETIONS -> "chat";
            case COMPLETIONS -> "text_completion";
            case EMBEDDINGS -> "embeddings";
        };
    }

    /** The GenAI conventions' provider names for our provider types. */
    static String providerName(String providerType) {
        if (providerType == null) {
            return "unknown";
        }
        return switch (providerType) {
            case "azure" -> "azure.ai.openai";
            default -> providerType; // openai, anthropic, ollama: the same words
        };
    }

    private static String outcome(Attempt a) {
        return switch (a.outcome()) {
            case PENDING -> "pending";
            case ANSWERED -> "answered";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
        };
    }

    /** A failure's class as configured ({@code timeout}, {@code status}...), else its error code. */
    private static String errorType(Attempt a) {
        if (a.failureClass() != null) {
            return a.failureClass().configName();
        }
        if (a.errorCode() != null) {
            return a.errorCode();
        }
        return a.outcome() == Attempt.Outcome.FAILED ? "_OTHER" : "none";
    }

    /** The client's {@code tracestate}, as far as it is well-formed; entries that are not are dropped. */
    private static TraceState traceState(String header) {
        if (header == null || header.isEmpty()) {
            return TraceState.getDefault();
        }
        TraceStateBuilder b = TraceState.builder();
        String[] members = header.split(",", -1);
        for (int i = members.length - 1; i >= 0; i--) { // put() puts first: keep the header's order
            String m = members[i].trim();
            int eq = m.indexOf('=');
            if (eq > 0) {
                b.put(m.substring(0, eq), m.substring(eq + 1));
            }
        }
        return b.build();
    }
}
