package io.aigw.core.exchange;

/**
 * Token usage as OpenAI reports it ({@code CompletionUsage}); -1 where a figure was not reported.
 * {@code cachedTokens} is {@code prompt_tokens_details.cached_tokens}, a subset of the prompt tokens.
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens, long cachedTokens) {
    public static final Usage NONE = new Usage(-1, -1, -1, -1);

    public boolean isKnown() {
        return totalTokens >= 0 || promptTokens >= 0;
    }
}
