package io.aigw.server.exchange;

import io.aigw.core.cost.Price;
import io.aigw.core.routing.FailureClass;

/**
 * One upstream call of an exchange: which deployment and key, the moments it reached, and how it
 * ended. Confined to the exchange's event loop. Times are {@link System#nanoTime()} readings, -1
 * until reached.
 */
public final class Attempt {
    /** How an attempt ended. */
    public enum Outcome {
        /** In progress. */
        PENDING,
        /** The provider's answer (any status) was relayed to the client, or its stream ended normally. */
        ANSWERED,
        /** Failed; {@link #failureClass()} says how (null for the gateway's own fault). */
        FAILED,
        /** The client left, or a stop cut the exchange: no verdict on the provider. */
        CANCELLED
    }

    private final int number;
    private final String deployment;
    private final String provider;
    private final String providerType;
    private final String modelId;
    private final int keyIndex;
    private final String serverAddress;
    /** What this deployment's tokens cost (its override, else the price table's), or null when unknown. */
    private final Price price;

    private final long startNanos;
    private final String spanId = TraceIds.newSpanId();
    long acquiredNanos = -1;
    long requestWrittenNanos = -1;
    long firstByteNanos = -1;
    long lastByteNanos = -1;
    long endNanos = -1;
    int statusCode;
    Outcome outcome = Outcome.PENDING;
    FailureClass failureClass;
    String errorCode;
    /** Per-listener state (a span, a timer): see {@link Exchange#state}. */
    private Object[] state;

    public Attempt(
            int number,
            String deployment,
            String provider,
            String providerType,
            String modelId,
            int keyIndex,
            String serverAddress,
            long startNanos) {
        this(number, deployment, provider, providerType, modelId, keyIndex, serverAddress, null, startNanos);
    }

    public Attempt(
            int number,
            String deployment,
            String provider,
            String providerType,
            String modelId,
            int keyIndex,
            String serverAddress,
            Price price,
            long startNanos) {
        this.number = number;
        this.deployment = deployment;
        this.provider = provider;
        this.providerType = providerType;
        this.modelId = modelId;
        this.keyIndex = keyIndex;
        this.serverAddress = serverAddress;
        this.price = price;
        this.startNanos = startNanos;
    }

    /** 1 for the first upstream call of the exchange, counting every call (failovers and retries). */
    public int number() {
        return number;
    }

    /** {@code model@provider}, as the admin API names deployments. */
    public String deployment() {
        return deployment;
    }

    public String provider() {
        return provider;
    }

    /** The provider's {@code type}: openai, azure, anthropic, ollama. */
    public String providerType() {
        return providerType;
    }

    /** The provider's model id the request was sent with. */
    public String modelId() {
        return modelId;
    }

    /** The index of the provider key used, in the provider's {@code api_keys}; never the key. */
    public int keyIndex() {
        return keyIndex;
    }

    /** The provider's host, for traces ({@code server.address}). */
    public String serverAddress() {
        return serverAddress;
    }

    /**
     * The price of the deployment this attempt called, for the model id it was sent with: the
     * deployment's {@code price} override, else the shipped table's; null when neither knows it.
     */
    public Price price() {
        return price;
    }

    /**
     * The attempt's W3C span id: the provider gets it in {@code traceparent}, and the attempt's CLIENT
     * span carries it when tracing is on, so the provider's spans hang under ours.
     */
    public String spanId() {
        return spanId;
    }

    public long startNanos() {
        return startNanos;
    }

    public long acquiredNanos() {
        return acquiredNanos;
    }

    public long requestWrittenNanos() {
        return requestWrittenNanos;
    }

    public long firstByteNanos() {
        return firstByteNanos;
    }

    public long lastByteNanos() {
        return lastByteNanos;
    }

    public long endNanos() {
        return endNanos;
    }

    /** The provider's HTTP status, 0 when none came. */
    public int statusCode() {
        return statusCode;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** How a failed attempt failed; null unless {@link Outcome#FAILED} (and null for our own fault). */
    public FailureClass failureClass() {
        return failureClass;
    }

    /** The error code the failure was worded with ({@code upstream_timeout}, ...), or null. */
    public String errorCode() {
        return errorCode;
    }

    public void connectionAcquired(long nanos) {
        acquiredNanos = nanos;
    }

    public void requestWritten(long nanos) {
        requestWrittenNanos = nanos;
    }

    public void firstByte(long nanos, int status) {
        if (firstByteNanos < 0) {
            firstByteNanos = nanos;
        }
        statusCode = status;
    }

    public void lastByte(long nanos) {
        lastByteNanos = nanos;
    }

    /** Ends the attempt; called once, by whoever ends it, right before the listeners hear of it. */
    public void end(long nanos, Outcome outcome, FailureClass failureClass, String errorCode) {
        this.endNanos = nanos;
        this.outcome = outcome;
        this.failureClass = failureClass;
        this.errorCode = errorCode;
    }

    /** A listener's own state for this attempt, by its slot (see {@link ExchangeListeners}). */
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
