package io.aigw.core.config;

import java.net.URI;

/**
 * How a provider serves OpenAI's Responses API ({@code POST /v1/responses}), the provider's
 * {@code responses:} setting (openai and azure only).
 */
public enum ResponsesApi {
    /** The provider has {@code /responses} itself: requests pass through (store, previous_response_id work). */
    NATIVE,
    /** Translated to and from chat completions: stateless, function tools only. */
    CHAT;

    /** NATIVE for an {@code openai} provider at {@code api.openai.com}; CHAT for everything else. */
    public static ResponsesApi defaultFor(String type, URI baseUrl) {
        return "openai".equals(type) && baseUrl != null && "api.openai.com".equalsIgnoreCase(baseUrl.getHost())
                ? NATIVE
                : CHAT;
    }
}
