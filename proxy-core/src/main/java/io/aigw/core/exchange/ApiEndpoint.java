package io.aigw.core.exchange;

/**
 * The OpenAI endpoints that are forwarded to a provider. {@link #upstreamPath} is appended to a
 * provider's {@code base_url} (which, for OpenAI-compatible hosts, already ends in {@code /v1}).
 *
 * @param requiredField the body field besides {@code model} that the endpoint cannot do without
 */
public enum ApiEndpoint {
    CHAT_COMPLETIONS("/chat/completions", "messages", true),
    COMPLETIONS("/completions", "prompt", true),
    EMBEDDINGS("/embeddings", "input", false);

    private final String upstreamPath;
    private final String requiredField;
    private final boolean streamable;

    ApiEndpoint(String upstreamPath, String requiredField, boolean streamable) {
        this.upstreamPath = upstreamPath;
        this.requiredField = requiredField;
        this.streamable = streamable;
    }

    public String upstreamPath() {
        return upstreamPath;
    }

    public String requiredField() {
        return requiredField;
    }

    public boolean streamable() {
        return streamable;
    }
}
