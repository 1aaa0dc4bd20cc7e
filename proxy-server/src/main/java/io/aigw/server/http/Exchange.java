package io.aigw.server.http;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.config.ProxyConfig;
import io.aigw.core.error.ApiError;
import io.aigw.core.exchange.ApiEndpoint;
import io.aigw.core.exchange.ClientApi;
import io.aigw.core.exchange.Usage;
import io.aigw.core.keys.KeyPrincipal;
import io.aigw.core.log.ExchangeRecord;
import io.aigw.server.exchange.Attempt;
import io.aigw.server.exchange.TraceContext;
import io.aigw.server.limits.Admission;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;

/**
 * One request/response exchange on a client connection: created by {@link ExchangeStartHandler}
 * when a complete request arrives, read and filled in by the handlers after it. Confined to the
 * connection's event loop, so no field needs synchronisation.
 */
public final class Exchange {
    public static final AttributeKey<Exchange> KEY = AttributeKey.valueOf("aigw.exchange");

    private final String requestId;
    private final long startNanos;
    private final HttpMethod method;
    private final String path;
    private KeyHash keyHash;
    /** The database key the request came with; null for a key from the config file. */
    private KeyPrincipal principal;

    private ClientListener listener;
    private ExchangeRecord record;
    private Runnable afterDurable;

    // ---- the exchange's facts, each stated once where it happens (see ExchangeListener) ----------
    private TraceContext traceContext;
    private ProxyConfig config;
    /** The runtime snapshot the exchange started with; null outside the server's pipeline (unit tests). */
    private ExchangeRuntime runtime;

    private ClientApi clientApi = ClientApi.OPENAI;
    private ApiEndpoint endpoint;
    private String routeName;
    private String requestedModel;
    private boolean stream;
    private long requestMaxTokens = -1;
    private double requestTemperature = Double.NaN;
    private final List<Attempt> attempts = new ArrayList<>(2);
    private int statusCode;
    private Usage usage = Usage.NONE;
    /** USD the exchange cost by its usage and the answering deployment's price; NaN while unknown. */
    private double costUsd = Double.NaN;

    private String finishReason;
    private ApiError error;
    private long firstByteToClientNanos = -1;
    private long endNanos = -1;
    private boolean clientClosed;
    /** Message content for traces, bounded; kept only with {@code tracing.capture_content: true}. */
    private String capturedInput;

    private String capturedOutput;
    /** How the rate limiter decided this exchange; null when no limit applied. */
    private Admission admission;
    /** Per-listener state (a span, a timer start), by slot: a listener's place in {@link io.aigw.server.exchange.ExchangeListeners}. */
    private Object[] state;

    /** What an in-flight upstream call needs to hear about the client connection. */
    public interface ClientListener {
        void clientWritabilityChanged();

        void clientClosed();

        /**
         * The server is stopping and its grace is over: let go of the exchange now (an upstream call
         * is cancelled). True if the listener ended the client's answer itself (a stream that already
         * sent its head gets {@code error} as its last event); false leaves answering to the caller.
         */
        default boolean serverStopping(ApiError error) {
            clientClosed();
            return false;
        }
    }

    public Exchange(String requestId, long startNanos, HttpMethod method, String path) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.method = method;
        this.path = path;
    }

    public static Exchange of(Channel channel) {
        return channel.attr(KEY).get();
    }

    public String requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    public HttpMethod method() {
        return method;
    }

    /** The decoded path without the query string. */
    public String path() {
        return path;
    }

    public KeyHash keyHash() {
        return keyHash;
    }

    void keyHash(KeyHash keyHash) {
        this.keyHash = keyHash;
    }

    /** The database key that authenticated the request, or null (a config-file key, or before auth). */
    public KeyPrincipal principal() {
        return principal;
    }

    void principal(KeyPrincipal principal) {
        this.principal = principal;
    }

    /** The database key's id, or null for a config-file key: what spend and per-key limits are kept by. */
    public Long keyId() {
        return principal == null ? null : principal.id();
    }

    /** The request log's record of this exchange, or null when the log is off. */
    public ExchangeRecord record() {
        return record;
    }

    void record(ExchangeRecord record) {
        this.record = record;
    }

    /** An error the client was told about in a way the response status does not show (mid-stream). */
    public void failed(ApiError error) {
        error(error);
    }

    /** With {@code durability: wal}: writes the held last byte once the record is on disk (see RequestLogListener). */
    Runnable afterDurable() {
        return afterDurable;
    }

    void afterDurable(Runnable afterDurable) {
        this.afterDurable = afterDurable;
    }

    /** The exchange is over and {@code completed} was heard (see {@link #end}). */
    public boolean isCompleted() {
        return endNanos >= 0;
    }

    public ClientListener listener() {
        return listener;
    }

    public void listener(ClientListener listener) {
        this.listener = listener;
    }
    // ---- facts ---------------------------------------------------------------------------------------

    /** The W3C trace context: the client's, or a new trace; never null once started. */
    public TraceContext traceContext() {
        return traceContext;
    }

    public void traceContext(TraceContext traceContext) {
        this.traceContext = traceContext;
    }

    /** The config snapshot the exchange started with (a reload does not change it mid-exchange). */
    public ProxyConfig config() {
        return config;
    }

    public void config(ProxyConfig config) {
        this.config = config;
    }

    /** The runtime snapshot (auth, endpoints, routes) the exchange started with, kept to its end. */
    public ExchangeRuntime runtime() {
        return runtime;
    }

    public void runtime(ExchangeRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
    }

    /** The API the client speaks, from the request's path (set when the exchange starts). */
    public ClientApi clientApi() {
        return clientApi;
    }

    public void clientApi(ClientApi clientApi) {
        this.clientApi = clientApi;
    }

    /** The proxied API endpoint, or null for the gateway's own (models, admin, health). */
    public ApiEndpoint endpoint() {
        return endpoint;
    }

    public void endpoint(ApiEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * The configured route that served the request ({@code gpt-4o-mini}, or a wildcard's pattern such
     * as {@code openrouter/*}): bounded, so fit for a metric label. Null until routed.
     */
    public String routeName() {
        return routeName;
    }

    public void routeName(String routeName) {
        this.routeName = routeName;
    }

    /** The model as the client asked for it: any string, never a metric label. Null until read. */
    public String requestedModel() {
        return requestedModel;
    }

    public void requestedModel(String requestedModel) {
        this.requestedModel = requestedModel;
    }

    public boolean stream() {
        return stream;
    }

    public void stream(boolean stream) {
        this.stream = stream;
    }

    /** The request's {@code max_tokens} (or {@code max_completion_tokens}), -1 when absent. */
    public long requestMaxTokens() {
        return requestMaxTokens;
    }

    public void requestMaxTokens(long requestMaxTokens) {
        this.requestMaxTokens = requestMaxTokens;
    }

    /** The request's {@code temperature}, NaN when absent. */
    public double requestTemperature() {
        return requestTemperature;
    }

    public void requestTemperature(double requestTemperature) {
        this.requestTemperature = requestTemperature;
    }

    /** Every upstream attempt so far, in order. */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** The attempt in progress or the last one, or null when none was made. */
    public Attempt lastAttempt() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }

    public void addAttempt(Attempt attempt) {
        attempts.add(attempt);
    }

    /** The status sent to the client (0 until its head is written; 499 when the client left first). */
    public int statusCode() {
        return statusCode;
    }

    public void statusCode(int statusCode) {
        this.statusCode = statusCode;
    }

    /** The answer's token usage, streams and plain answers alike; {@link Usage#NONE} when unknown. */
    public Usage usage() {
        return usage;
    }

    public void usage(Usage usage) {
        this.usage = usage;
    }

    /**
     * What the exchange cost in USD, from its final usage and the price of the deployment that
     * answered; NaN when no price is known (or nothing was used). Set once, before the {@code
     * completed} listeners run, so the log, metrics and spend all read the same figure.
     */
    public double costUsd() {
        return costUsd;
    }

    public void costUsd(double costUsd) {
        this.costUsd = costUsd;
    }

    /** The answer's (first choice's) finish reason in OpenAI's words, or null. */
    public String finishReason() {
        return finishReason;
    }

    public void finishReason(String finishReason) {
        this.finishReason = finishReason;
    }

    /** The error the client was given (an error answer, or the event that ended its stream), or null. */
    public ApiError error() {
        return error;
    }

    public void error(ApiError error) {
        if (this.error == null) {
            this.error = error;
        }
    }

    public long firstByteToClientNanos() {
        return firstByteToClientNanos;
    }

    public void firstByteToClient(long nanos) {
        if (firstByteToClientNanos < 0) {
            firstByteToClientNanos = nanos;
        }
    }

    public long endNanos() {
        return endNanos;
    }

    public void end(long nanos) {
        endNanos = nanos;
    }

    /** The client left before its answer was whole. */
    public boolean clientClosed() {
        return clientClosed;
    }

    public void clientClosed(boolean clientClosed) {
        this.clientClosed = clientClosed;
    }

    /** The request body as text (bounded), when tracing captures content; else null. */
    public String capturedInput() {
        return capturedInput;
    }

    public void capturedInput(String capturedInput) {
        this.capturedInput = capturedInput;
    }

    /** A plain answer's body as text (bounded), when tracing captures content; else null. */
    public String capturedOutput() {
        return capturedOutput;
    }

    public void capturedOutput(String capturedOutput) {
        this.capturedOutput = capturedOutput;
    }

    public Admission admission() {
        return admission;
    }

    public void admission(Admission admission) {
        this.admission = admission;
    }

    /** A listener's own state for this exchange, by its slot. */
    @SuppressWarnings("unchecked")
    public <T> T state(int slot) {
        return state == null || slot >= state.length ? null : (T) state[slot];
    }

    public void state(int slot, Object value) {
        if (state == null || slot >= state.length) {
            Object[] grown = new Object[Math.max(slot + 1, 4)];
            if (state != null) {
                System.arraycopy(state, 0, grown, 0, state.length);
            }
            state = grown;
        }
        state[slot] = value;
    }
}
