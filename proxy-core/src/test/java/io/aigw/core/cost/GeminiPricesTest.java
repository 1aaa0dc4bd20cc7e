package io.aigw.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.aigw.core.exchange.Usage;
import org.junit.jupiter.api.Test;

/** The gemini family of the built-in table: ids with or without Google's models/ prefix. */
class GeminiPricesTest {
    private final PriceTable table = PriceTable.builtin();

    @Test
    void geminiModelsArePricedWithOrWithoutTheirPrefix() {
        assertEquals(new Price(0.30, 2.50, 0.075), table.find("gemini", "gemini-2.5-flash"));
        assertEquals(table.find("gemini", "gemini-2.5-flash"), table.find("gemini", "models/Gemini-2.5-Flash"));
        assertEquals(
                new Price(0.075, 0.30, 0.075),
                table.find("gemini", "gemini-2.0-flash-lite"),
                "cached defaults to input");
        assertNull(table.find("gemini", "gpt-4o"), "the families are apart");
        assertNull(table.find("openai", "gemini-2.5-pro"));
        assertNull(table.find("openai", "models/gpt-4o"), "the prefix is Gemini's only");
    }

    @Test
    void thinkingTokensArePricedAsOutput() {
        // 1M prompt tokens of which 200k cached, 1M completion tokens (candidates + thoughts).
        double cost =
                table.find("gemini", "gemini-2.5-pro").costUsd(new Usage(1_000_000, 1_000_000, 2_000_000, 200_000));
        assertEquals(0.8 * 1.25 + 0.2 * 0.31 + 10.00, cost, 1e-9);
    }
}
