package io.aigw.adapters.openai;

import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.ApiEndpoint;
import io.netty.buffer.ByteBuf;

/**
 * What the proxy needs from a client's OpenAI request body, found in one streaming pass, plus the
 * byte offsets {@link OpenAiRequestRewriter} splices at so the body is never re-serialised.
 * Offsets are relative to the body's readerIndex; -1 means "not present".
 */
public final class RequestScan {
    private final String model;
    private final boolean stream;
    private final boolean clientIncludeUsage;
    private final long maxTokens;
    private final double temperature;

    final int bodyLength;
    /** The model value token, opening quote to just past the closing quote. */
    final int modelStart;

    final int modelEnd;
    /** First byte of the stream_options value ('{' or 'n' of null); -1 when the key is absent. */
    final int streamOptionsStart;

    final boolean streamOptionsNull;
    final boolean streamOptionsEmpty;
    /** The include_usage value token (true/false/null literal); -1 when absent. */
    final int includeUsageStart;

    final int includeUsageEnd;
    /** The root object's closing brace. */
    final int rootEnd;

    final boolean rootEmpty;

    RequestScan(RequestScanner s, int bodyLength) {
        this.model = s.model;
        this.stream = s.stream;
        this.clientIncludeUsage = s.includeUsage;
        this.maxTokens = s.maxTokens;
        this.temperature = s.temperature;
        this.bodyLength = bodyLength;
        this.modelStart = s.modelStart;
        this.modelEnd = s.modelEnd;
        this.streamOptionsStart = s.streamOptionsStart;
        this.streamOptionsNull = s.streamOptionsNull;
        this.streamOptionsEmpty = s.streamOptionsEmpty;
        this.includeUsageStart = s.includeUsageStart;
        this.includeUsageEnd = s.includeUsageEnd;
        this.rootEnd = s.rootEnd;
        this.rootEmpty = s.rootEmpty;
    }

    /**
     * Validates the body for the endpoint and records what rewriting needs. Leaves the buffer's
     * indices and reference count as they were.
     *
     * @throws ApiException a 400 in OpenAI's error shape when the body is unusable
     */
    public static RequestScan scan(ByteBuf body, ApiEndpoint endpoint) {
        return RequestScanner.scan(body, endpoint);
    }

    public String model() {
        return model;
    }

    /** True only for {@code "stream": true}; absent or null mean false. */
    public boolean stream() {
        return stream;
    }

    /** True only when the client itself sent {@code stream_options.include_usage: true}. */
    public boolean clientIncludeUsage() {
        return clientIncludeUsage;
    }

    /** {@code max_tokens}, else {@code max_completion_tokens}, when an integer; -1 otherwise. */
    public long maxTokens() {
        return maxTokens;
    }

    /** {@code temperature} when a number; NaN otherwise. */
    public double temperature() {
        return temperature;
    }

    @Override
    public String toString() {
        return "RequestScan[model=" + model + ", stream=" + stream + ", clientIncludeUsage=" + clientIncludeUsage + "]";
    }
}
