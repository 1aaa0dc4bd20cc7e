package io.aigw.core.exchange;

/**
 * The client endpoints that are forwarded to a provider, each in its client's API. {@link #upstreamPath}
 * is appended to a provider's {@code base_url} (which, for OpenAI-compatible hosts, already ends in
 * {@code /v1}) when the provider speaks that same API.
 *
 * @param requiredField the body field besides {@code model} that the endpoint cannot do without
 */
public enum ApiEndpoint {
    CHAT_COMPLETIONS("/chat/completions", "messages", true, ClientApi.OPENAI),
    COMPLETIONS("/completions", "prompt", true, ClientApi.OPENAI),
    EMBEDDINGS("/embeddings", "input", false, ClientApi.OPENAI),
    /** Anthropic's {@code POST /v1/messages}. */
    MESSAGES("/messages", "messages", true, ClientApi.ANTHROPIC),
    /** Anthropic's {@code POST /v1/messages/count_tokens}. */
    COUNT_TOKENS("/messages/count_tokens", "messages", false, ClientApi.ANTHROPIC),
    /** OpenAI's {@code POST /v1/responses}. */
    RESPONSES("/responses", "input", true, ClientApi.RESPONSES);

    private final String upstreamPath;
    private final String requiredField;
    private final boolean streamable;
    private final ClientApi clientApi;

    ApiEndpoint(String upstreamPath, String requiredField, boolean streamable, ClientApi clientApi) {
        this.upstreamPath = upstreamPath;
        this.requiredField = requiredField;
        this.streamable = streamable;
        this.clientApi = clientApi;
    }

    /** The API the endpoint's clients speak. */
    public ClientApi clientApi() {
        return clientApi;
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
