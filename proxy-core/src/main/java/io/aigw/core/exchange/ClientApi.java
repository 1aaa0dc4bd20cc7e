package io.aigw.core.exchange;

/**
 * The API a client speaks: it picks the translation of each call (with the provider's API) and the
 * shape of every error the client sees. Known from the path before anything else is read, so an
 * answer as early as a 401 already has the client's shape.
 */
public enum ClientApi {
    /** OpenAI's chat completions, legacy completions and embeddings. */
    OPENAI("openai"),
    /** Anthropic's Messages API ({@code /v1/messages}). */
    ANTHROPIC("anthropic"),
    /** OpenAI's Responses API ({@code /v1/responses}). */
    RESPONSES("responses");

    private final String wireName;

    ClientApi(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the request log's {@code client_api} column. */
    public String wireName() {
        return wireName;
    }

    /** The API of a request path ({@code /v1/messages…}, {@code /v1/responses…}; anything else is OpenAI's). */
    public static ClientApi ofPath(String path) {
        if (path == null || !path.startsWith("/v1/")) {
            return OPENAI;
        }
        if (isUnder(path, "/v1/messages")) {
            return ANTHROPIC;
        }
        if (isUnder(path, "/v1/responses")) {
            return RESPONSES;
        }
        return OPENAI;
    }

    /** {@code path} is {@code prefix} or below it ({@code prefix/…}, or with a query). */
    private static boolean isUnder(String path, String prefix) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        if (path.length() == prefix.length()) {
            return true;
        }
        char next = path.charAt(prefix.length());
        return next == '/' || next == '?';
    }
}
