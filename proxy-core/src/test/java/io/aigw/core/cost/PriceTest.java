package io.aigw.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.exchange.Usage;
import org.junit.jupiter.api.Test;

/** Cost arithmetic: USD per million tokens, cached prompt tokens at the cached-input price. */
class PriceTest {
    private static final double EPS = 1e-15;
    private final Price gpt4o = new Price(2.50, 10.00, 1.25);

    @Test
    void promptAndCompletionTokensAtTheirPrices() {
        // 1000 * 2.50 / 1e6 + 500 * 10 / 1e6
        assertEquals(0.0025 + 0.005, gpt4o.costUsd(new Usage(1000, 500, 1500, -1)), EPS);
        assertEquals(0.0025 + 0.005, gpt4o.costUsd(new Usage(1000, 500, 1500, 0)), EPS);
    }

    @Test
    void cachedTokensArePartOfThePromptAndBilledAtTheCachedPrice() {
        // 1000 prompt tokens of which 600 cached: 400 * 2.50 + 600 * 1.25 + 100 * 10, per million
        assertEquals((400 * 2.50 + 600 * 1.25 + 100 * 10.0) / 1e6, gpt4o.costUsd(new Usage(1000, 100, 1100, 600)), EPS);
        // all cached
        assertEquals(1000 * 1.25 / 1e6, gpt4o.costUsd(new Usage(1000, 0, 1000, 1000)), EPS);
    }

    @Test
    void anthropicUsageAsOurTranslationReportsIt() {
        // input_tokens 100, cache_creation 200, cache_read 3000, output 50 -> prompt 3300, cached 3000
        Price sonnet = new Price(3, 15, 0.30);
        double expected = (300 * 3.0 + 3000 * 0.30 + 50 * 15.0) / 1e6;
        assertEquals(expected, sonnet.costUsd(new Usage(3300, 50, 3350, 3000)), EPS);
    }

    @Test
    void anEmbeddingHasNoCompletionTokens() {
        Price small = Price.of(0.02, 0);
        assertEquals(8 * 0.02 / 1e6, small.costUsd(new Usage(8, -1, 8, -1)), EPS);
    }

    @Test
    void unknownUsageCostsNaNNotZero() {
        assertTrue(Double.isNaN(gpt4o.costUsd(Usage.NONE)));
        assertTrue(Double.isNaN(gpt4o.costUsd(null)));
        assertTrue(Double.isNaN(gpt4o.costUsd(new Usage(-1, -1, 20, -1))), "a total alone cannot be priced");
        assertEquals(0.0, gpt4o.costUsd(new Usage(0, 0, 0, 0)), "nothing used is known to cost nothing");
    }

    @Test
    void cachedTokensBeyondThePromptAreNotBelieved() {
        assertEquals(10 * 1.25 / 1e6, gpt4o.costUsd(new Usage(10, 0, 10, 50)), EPS);
    }

    @Test
    void aPriceIsFiniteAndNotNegative() {
        assertThrows(IllegalArgumentException.class, () -> new Price(-1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Price(1, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new Price(1, 1, Double.POSITIVE_INFINITY));
        assertEquals(new Price(1, 2, 1), Price.of(1, 2));
    }
}
