package io.aigw.core.cost;

import io.aigw.core.exchange.Usage;

/**
 * What a model's tokens cost, in USD per million tokens: input (prompt) tokens, output (completion)
 * tokens, and cached input tokens (OpenAI's {@code cached_tokens}, Anthropic's cache reads).
 *
 * @param input USD per million uncached prompt tokens
 * @param output USD per million completion tokens (reasoning tokens included, as OpenAI counts them)
 * @param cachedInput USD per million prompt tokens served from the provider's prompt cache
 */
public record Price(double input, double output, double cachedInput) {
    private static final double PER_MILLION = 1_000_000.0;

    public Price {
        check("input", input);
        check("output", output);
        check("cachedInput", cachedInput);
    }

    /** With cached input billed like any input (a model without a cache discount). */
    public static Price of(double input, double output) {
        return new Price(input, output, input);
    }

    private static void check(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + v);
        }
    }

    /**
     * The USD {@code usage} cost at this price, NaN when the usage is unknown. Usage is in OpenAI's
     * terms (our Anthropic translation reports it so too): the cached tokens are part of the prompt
     * tokens, so they are taken out of the prompt and billed at {@link #cachedInput} instead. A figure
     * not reported (-1) counts as 0 when the other is known (an embedding has no completion tokens);
     * cached tokens beyond the prompt's count are not believed past it.
     */
    public double costUsd(Usage usage) {
        if (usage == null || (usage.promptTokens() < 0 && usage.completionTokens() < 0)) {
            return Double.NaN;
        }
        long prompt = Math.max(0, usage.promptTokens());
        long cached = Math.min(prompt, Math.max(0, usage.cachedTokens()));
        long completion = Math.max(0, usage.completionTokens());
        return ((prompt - cached) * input + cached * cachedInput + completion * output) / PER_MILLION;
    }
}
