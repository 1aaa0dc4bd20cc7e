package io.aigw.server.trace;

import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.Usage;
import io.aigw.server.exchange.Attempt;
import java.util.List;

/**
 * Encodes completed exchanges as one OTLP {@code ExportTraceServiceRequest} (protobuf, the wire form
 * of opentelemetry-proto's {@code collector/trace/v1}): each exchange one SERVER span and a CLIENT span
 * per attempt, named and attributed by the OpenTelemetry GenAI semantic conventions. Retries and
 * failovers are events on the SERVER span as well as sibling CLIENT spans. Used by the exporter
 * thread only; the writer is reused from batch to batch.
 */
final class OtlpTraceEncoder {
    // GenAI semantic conventions, and the HTTP and server ones they build on.
    static final String OPERATION = "gen_ai.operation.name";
    static final String PROVIDER = "gen_ai.provider.name";
    static final String REQUEST_MODEL = "gen_ai.request.model";
    static final String RESPONSE_MODEL = "gen_ai.response.model";
    static final String MAX_TOKENS = "gen_ai.request.max_tokens";
    static final String TEMPERATURE = "gen_ai.request.temperature";
    static final String STREAM = "gen_ai.request.stream";
    static final String INPUT_TOKENS = "gen_ai.usage.input_tokens";
    static final String OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
    static final String FINISH_REASONS = "gen_ai.response.finish_reasons";
    /** Opt-in content, only with {@code tracing.capture_content: true}. */
    static final String INPUT_MESSAGES = "gen_ai.input.messages";

    static final String OUTPUT_MESSAGES = "gen_ai.output.messages";
    static final String SERVER_ADDRESS = "server.address";
    static final String STATUS_CODE = "http.response.status_code";
    static final String ERROR_TYPE = "error.type";
    static final String METHOD = "http.request.method";
    static final String PATH = "url.path";
    // The gateway's own.
    static final String REQUEST_ID = "aigw.request_id";
    static final String ROUTE = "aigw.route";
    static final String ATTEMPTS = "aigw.attempts";
    static final String CLIENT_CLOSED = "aigw.client_closed";
    static final String ATTEMPT_NUMBER = "aigw.attempt.number";
    static final String ATTEMPT_OUTCOME = "aigw.attempt.outcome";
    static final String DEPLOYMENT = "aigw.deployment";
    static final String PREVIOUS_OUTCOME = "aigw.previous.outcome";
    static final String PREVIOUS_ERROR = "aigw.previous.error.type";
    static final String KEY_INDEX = "aigw.key_index";

    /** Event on the SERVER span when an attempt follows another on the same deployment. */
    static final String RETRY_EVENT = "aigw.retry";
    /** Event on the SERVER span when an attempt moves to another deployment. */
    static final String FAILOVER_EVENT = "aigw.failover";

    static final String SCOPE = "io.aigw";

    // The attribute keys' KeyValue.key fields, encoded once.
    private static final byte[] K_OPERATION = ProtoWriter.keyField(OPERATION);
    private static final byte[] K_PROVIDER = ProtoWriter.keyField(PROVIDER);
    private static final byte[] K_REQUEST_MODEL = ProtoWriter.keyField(REQUEST_MODEL);
    private static final byte[] K_RESPONSE_MODEL = ProtoWriter.keyField(RESPONSE_MODEL);
    private static final byte[] K_MAX_TOKENS = ProtoWriter.keyField(MAX_TOKENS);
    private static final byte[] K_TEMPERATURE = ProtoWriter.keyField(TEMPERATURE);
    private static final byte[] K_STREAM = ProtoWriter.keyField(STREAM);
    private static final byte[] K_INPUT_TOKENS = ProtoWriter.keyField(INPUT_TOKENS);
    private static final byte[] K_OUTPUT_TOKENS = ProtoWriter.keyField(OUTPUT_TOKENS);
    private static final byte[] K_INPUT_MESSAGES = ProtoWriter.keyField(INPUT_MESSAGES);
    private static final byte[] K_OUTPUT_MESSAGES = ProtoWriter.keyField(OUTPUT_MESSAGES);
    private static final byte[] K_SERVER_ADDRESS = ProtoWriter.keyField(SERVER_ADDRESS);
    private static final byte[] K_STATUS_CODE = ProtoWriter.keyField(STATUS_CODE);
    private static final byte[] K_ERROR_TYPE = ProtoWriter.keyField(ERROR_TYPE);
    private static final byte[] K_METHOD = ProtoWriter.keyField(METHOD);
    private static final byte[] K_PATH = ProtoWriter.keyField(PATH);
    private static final byte[] K_REQUEST_ID = ProtoWriter.keyField(REQUEST_ID);
    private static final byte[] K_ROUTE = ProtoWriter.keyField(ROUTE);
    private static final byte[] K_ATTEMPTS = ProtoWriter.keyField(ATTEMPTS);
    private static final byte[] K_CLIENT_CLOSED = ProtoWriter.keyField(CLIENT_CLOSED);
    private static final byte[] K_ATTEMPT_NUMBER = ProtoWriter.keyField(ATTEMPT_NUMBER);
    private static final byte[] K_ATTEMPT_OUTCOME = ProtoWriter.keyField(ATTEMPT_OUTCOME);
    private static final byte[] K_DEPLOYMENT = ProtoWriter.keyField(DEPLOYMENT);
    private static final byte[] K_PREVIOUS_OUTCOME = ProtoWriter.keyField(PREVIOUS_OUTCOME);
    private static final byte[] K_PREVIOUS_ERROR = ProtoWriter.keyField(PREVIOUS_ERROR);
    private static final byte[] K_KEY_INDEX = ProtoWriter.keyField(KEY_INDEX);

    // opentelemetry-proto field numbers.
    private static final int REQUEST_RESOURCE_SPANS = 1;
    private static final int RESOURCE_SPANS_RESOURCE = 1;
    private static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
    private static final int RESOURCE_ATTRIBUTES = 1;
    private static final int SCOPE_SPANS_SCOPE = 1;
    private static final int SCOPE_SPANS_SPANS = 2;
    private static final int SCOPE_NAME = 1;
    private static final int SPAN_TRACE_ID = 1;
    private static final int SPAN_SPAN_ID = 2;
    private static final int SPAN_TRACE_STATE = 3;
    private static final int SPAN_PARENT_SPAN_ID = 4;
    private static final int SPAN_NAME = 5;
    private static final int SPAN_KIND = 6;
    private static final int SPAN_START = 7;
    private static final int SPAN_END = 8;
    private static final int SPAN_ATTRIBUTES = 9;
    private static final int SPAN_EVENTS = 11;
    private static final int SPAN_STATUS = 15;
    private static final int SPAN_FLAGS = 16;
    private static final int EVENT_TIME = 1;
    private static final int EVENT_NAME = 2;
    private static final int EVENT_ATTRIBUTES = 3;
    private static final int STATUS_CODE_FIELD = 3;
    private static final int KV_KEY = 1;
    private static final int KV_VALUE = 2;
    private static final int ANY_STRING = 1;
    private static final int ANY_ARRAY = 5;
    private static final int ARRAY_VALUES = 1;
    private static final int KIND_SERVER = 2;
    private static final int KIND_CLIENT = 3;
    private static final int STATUS_ERROR = 2;
    /** Span flags: the W3C sampled bit, and "whether the parent is remote" is known (0x100) and true (0x200). */
    private static final int FLAG_SAMPLED = 0x01;

    private static final int FLAG_HAS_IS_REMOTE = 0x100;
    private static final int FLAG_IS_REMOTE = 0x200;

    private final String serviceName;
    private final long epochOffsetNanos;
    private final ProtoWriter out = new ProtoWriter(64 * 1024);

    /**
     * @param epochOffsetNanos added to a {@link System#nanoTime()} reading to give Unix epoch nanoseconds
     */
    OtlpTraceEncoder(String serviceName, long epochOffsetNanos) {
        this.serviceName = serviceName;
        this.epochOffsetNanos = epochOffsetNanos;
    }

    /** The request for {@code batch}, in {@link #array()} up to {@link #size()}, valid until the next call. */
    void encode(List<TracedExchange> batch) {
        out.reset();
        out.begin(REQUEST_RESOURCE_SPANS);
        out.begin(RESOURCE_SPANS_RESOURCE);
        resourceAttribute("service.name", serviceName);
        resourceAttribute("telemetry.sdk.name", "aigw");
        resourceAttribute("telemetry.sdk.language", "java");
        out.end();
        out.begin(RESOURCE_SPANS_SCOPE_SPANS);
        out.begin(SCOPE_SPANS_SCOPE);
        out.string(SCOPE_NAME, SCOPE);
        out.end();
        for (TracedExchange ex : batch) {
            serverSpan(ex);
            for (TracedAttempt a : ex.attempts) {
                clientSpan(ex, a);
            }
        }
        out.end();
        out.end();
    }

    byte[] array() {
        return out.array();
    }

    int size() {
        return out.size();
    }

    private void resourceAttribute(String key, String value) {
        out.stringAttribute(RESOURCE_ATTRIBUTES, ProtoWriter.keyField(key), value);
    }

    private void spanHead(TracedExchange ex, int kind, String name, long start, long end) {
        out.hexBytes(SPAN_TRACE_ID, ex.traceId);
        if (ex.traceState != null && !ex.traceState.isEmpty()) {
            out.string(SPAN_TRACE_STATE, ex.traceState);
        }
        out.string(SPAN_NAME, name);
        out.varint(SPAN_KIND, kind);
        out.fixed64(SPAN_START, epoch(start));
        out.fixed64(SPAN_END, epoch(end));
    }

    private void serverSpan(TracedExchange ex) {
        out.begin(SCOPE_SPANS_SPANS);
        String operation = ex.endpoint == null ? null : operation(ex.endpoint);
        String name = operation == null
                ? ex.method + " " + ex.path // the gateway's own endpoints: an HTTP span, no GenAI attributes
                : ex.requestedModel == null ? operation : operation + " " + ex.requestedModel;
        spanHead(ex, KIND_SERVER, name, ex.startNanos, ex.endNanos);
        out.longBytes(SPAN_SPAN_ID, ex.spanId);
        boolean remoteParent = ex.parentSpanId != null;
        if (remoteParent) {
            out.hexBytes(SPAN_PARENT_SPAN_ID, ex.parentSpanId);
        }
        out.fixed32(SPAN_FLAGS, FLAG_SAMPLED | FLAG_HAS_IS_REMOTE | (remoteParent ? FLAG_IS_REMOTE : 0));

        string(K_METHOD, ex.method);
        string(K_PATH, ex.path);
        string(K_REQUEST_ID, ex.requestId);
        if (ex.statusCode > 0) {
            integer(K_STATUS_CODE, ex.statusCode);
        }
        if (ex.clientClosed) {
            bool(K_CLIENT_CLOSED, true);
        }
        ApiError error = ex.error;
        if (error != null) {
            string(K_ERROR_TYPE, error.code() != null ? error.code() : error.type());
        } else if (ex.statusCode >= 400) {
            string(K_ERROR_TYPE, Integer.toString(ex.statusCode));
        }
        if (operation != null) {
            string(K_OPERATION, operation);
            if (ex.requestedModel != null) {
                string(K_REQUEST_MODEL, ex.requestedModel);
            }
            if (ex.routeName != null) {
                string(K_ROUTE, ex.routeName);
            }
            bool(K_STREAM, ex.stream);
            if (ex.maxTokens >= 0) {
                integer(K_MAX_TOKENS, ex.maxTokens);
            }
            if (!Double.isNaN(ex.temperature)) {
                dbl(K_TEMPERATURE, ex.temperature);
            }
            if (ex.attempts.length > 0) {
                TracedAttempt last = ex.attempts[ex.attempts.length - 1];
                string(K_PROVIDER, providerName(last.providerType));
                string(K_SERVER_ADDRESS, last.serverAddress);
                integer(K_ATTEMPTS, ex.attempts.length);
                if (last.outcome == Attempt.Outcome.ANSWERED) {
                    string(K_RESPONSE_MODEL, last.modelId);
                }
            }
            Usage usage = ex.usage;
            if (usage.promptTokens() >= 0) {
                integer(K_INPUT_TOKENS, usage.promptTokens());
            }
            if (usage.completionTokens() >= 0) {
                integer(K_OUTPUT_TOKENS, usage.completionTokens());
            }
            if (ex.finishReason != null) {
                out.begin(SPAN_ATTRIBUTES);
                out.string(KV_KEY, FINISH_REASONS);
                out.begin(KV_VALUE);
                out.begin(ANY_ARRAY);
                out.begin(ARRAY_VALUES);
                out.string(ANY_STRING, ex.finishReason);
                out.end();
                out.end();
                out.end();
                out.end();
            }
        }
        // Present only with capture_content: true (nothing is captured otherwise).
        if (ex.capturedInput != null) {
            string(K_INPUT_MESSAGES, ex.capturedInput);
        }
        if (ex.capturedOutput != null) {
            string(K_OUTPUT_MESSAGES, ex.capturedOutput);
        }
        for (int i = 1; i < ex.attempts.length; i++) {
            TracedAttempt previous = ex.attempts[i - 1];
            TracedAttempt a = ex.attempts[i];
            out.begin(SPAN_EVENTS);
            out.fixed64(EVENT_TIME, epoch(a.startNanos));
            out.string(EVENT_NAME, previous.deployment.equals(a.deployment) ? RETRY_EVENT : FAILOVER_EVENT);
            eventInteger(K_ATTEMPT_NUMBER, a.number);
            eventString(K_DEPLOYMENT, a.deployment);
            eventString(K_PREVIOUS_OUTCOME, previous.outcomeName());
            eventString(K_PREVIOUS_ERROR, previous.errorTypeOrNone());
            out.end();
        }
        if (ex.statusCode >= 500 || (error != null && error.status() >= 500)) {
            errorStatus();
        }
        out.end();
    }

    private void clientSpan(TracedExchange ex, TracedAttempt a) {
        out.begin(SCOPE_SPANS_SPANS);
        String operation = operation(ex.endpoint);
        spanHead(
                ex, KIND_CLIENT, operation + " " + a.modelId, a.startNanos, a.endNanos >= 0 ? a.endNanos : ex.endNanos);
        out.hexBytes(SPAN_SPAN_ID, a.spanId);
        out.longBytes(SPAN_PARENT_SPAN_ID, ex.spanId);
        out.fixed32(SPAN_FLAGS, FLAG_SAMPLED | FLAG_HAS_IS_REMOTE);
        string(K_OPERATION, operation);
        string(K_PROVIDER, providerName(a.providerType));
        string(K_REQUEST_MODEL, a.modelId);
        string(K_SERVER_ADDRESS, a.serverAddress);
        integer(K_ATTEMPT_NUMBER, a.number);
        string(K_DEPLOYMENT, a.deployment);
        integer(K_KEY_INDEX, a.keyIndex);
        if (a.statusCode > 0) {
            integer(K_STATUS_CODE, a.statusCode);
        }
        string(K_ATTEMPT_OUTCOME, a.outcomeName());
        boolean failed = false;
        if (a.outcome == Attempt.Outcome.FAILED) {
            string(K_ERROR_TYPE, a.failedErrorType());
            failed = true;
        } else if (a.outcome == Attempt.Outcome.ANSWERED) {
            string(K_RESPONSE_MODEL, a.modelId);
            if (a.statusCode >= 400) {
                string(K_ERROR_TYPE, Integer.toString(a.statusCode));
                failed = true;
            }
        }
        if (failed) {
            errorStatus();
        }
        out.end();
    }

    private void errorStatus() {
        out.begin(SPAN_STATUS);
        out.varint(STATUS_CODE_FIELD, STATUS_ERROR);
        out.end();
    }

    private void string(byte[] key, String value) {
        out.stringAttribute(SPAN_ATTRIBUTES, key, value);
    }

    private void integer(byte[] key, long value) {
        out.intAttribute(SPAN_ATTRIBUTES, key, value);
    }

    private void dbl(byte[] key, double value) {
        out.doubleAttribute(SPAN_ATTRIBUTES, key, value);
    }

    private void bool(byte[] key, boolean value) {
        out.boolAttribute(SPAN_ATTRIBUTES, key, value);
    }

    private void eventString(byte[] key, String value) {
        out.stringAttribute(EVENT_ATTRIBUTES, key, value);
    }

    private void eventInteger(byte[] key, long value) {
        out.intAttribute(EVENT_ATTRIBUTES, key, value);
    }

    private long epoch(long nanoTime) {
        return nanoTime + epochOffsetNanos;
    }

    static String operation(ApiEndpoint endpoint) {
        if (endpoint == null) {
            return "chat";
        }
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES, RESPONSES -> "chat";
            case COMPLETIONS -> "text_completion";
            case EMBEDDINGS -> "embeddings";
            case COUNT_TOKENS -> "count_tokens";
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
}
